"""An Atom feed (RFC 4287) of the anslagstavla: one entry per notice that is up.

A feed reader shows a new entry when a notice is posted: a notice of
justering (from the day it was posted until it comes down) or a coming
meeting (its kallelse, until the meeting day). Entry ids are stable
(``urn:uuid:`` made from the notice), so a reader never shows the same
notice twice; links are relative to the feed's own address.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from ..sources import MEETING_FILE
from .content import MeetingSite
from .noticeboard import AdjustmentNotice, Board, MeetingNotice
from .oparl import TIME_ZONE

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "flode.xml"
NAMESPACE = uuid.UUID("6b1f4d2e-5a0c-4a53-9d0e-2f1c8b7a9e10")  # this tool's feeds; never change it


def notice_id(key: str) -> str:
    return uuid.uuid5(NAMESPACE, key).urn


def _stamp(day: dt.date) -> str:
    """Midnight of ``day`` in Swedish time, as Atom writes a time."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=TIME_ZONE).isoformat()


def _modified(path: Path | None) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, TIME_ZONE).replace(microsecond=0).isoformat()


def feed(board: Board, title: str, organisation: str, root: str) -> bytes:
    """The feed as UTF-8 XML; ``root`` leads from the feed's folder to the site's root ('../')."""
    ET.register_namespace("", ATOM)
    entries = [_adjustment_entry(n) for n in board.adjustments] + \
              [_meeting_entry(n, root) for n in board.meetings]
    top = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "sv"})
    _add(top, "title", title)
    _add(top, "subtitle", f"Tillkännagivanden på {organisation}s anslagstavla")
    _add(top, "id", notice_id(f"anslagstavla-{organisation}"))
    updated = max((entry["updated"] for entry in entries), default=_stamp(board.today))
    _add(top, "updated", updated)
    author = ET.SubElement(top, f"{{{ATOM}}}author")
    _add(author, "name", organisation)
    _link(top, "index.html", "alternate", "text/html")
    _link(top, FEED_FILE, "self", "application/atom+xml")
    for entry in sorted(entries, key=lambda e: e["updated"], reverse=True):
        node = ET.SubElement(top, f"{{{ATOM}}}entry")
        _add(node, "title", entry["title"])
        _add(node, "id", entry["id"])
        _add(node, "updated", entry["updated"])
        _link(node, entry["link"], "alternate", "text/html")
        _add(node, "summary", entry["summary"])
    return ET.tostring(top, encoding="utf-8", xml_declaration=True) + b"\n"


def _add(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})


def _organ(site: MeetingSite) -> str:
    return site.meeting.committee.name


def _adjustment_entry(notice: AdjustmentNotice) -> dict:
    site = notice.site
    meeting = site.meeting
    which = "omedelbar justering av " + notice.paragraphs if notice.immediate else "justering av protokoll"
    summary = (f"{_organ(site)}, sammanträde {meeting.date.isoformat()}, {notice.paragraphs}. "
               f"Justerat {notice.notice.adjusted.isoformat()}. Anslaget sattes upp {notice.posted.isoformat()} "
               f"och tas ned {notice.take_down.isoformat()}. Sista dag att överklaga: "
               f"{notice.last_appeal_day.isoformat()}. Protokollet förvaras: {notice.kept_at or '–'}.")
    return {"title": f"Tillkännagivande om {which}: {meeting.committee.short_name} {meeting.date.isoformat()}",
            "id": notice_id(notice.key), "updated": _stamp(notice.posted), "summary": summary,
            "link": f"index.html#{notice.key}"}


def _meeting_entry(notice: MeetingNotice, root: str) -> dict:
    site = notice.site
    meeting = site.meeting
    summary = (f"{_organ(site)} sammanträder {meeting.date.isoformat()}"
               f"{' kl. ' + meeting.time if meeting.time else ''}, {meeting.place}.")
    source = site.packet.source if site.packet else meeting.folder / MEETING_FILE
    return {"title": f"Kallelse: {meeting.committee.short_name} {meeting.date.isoformat()}",
            "id": notice_id(notice.key), "updated": _modified(source), "summary": summary,
            "link": f"{root}{site.folder}index.html"}
