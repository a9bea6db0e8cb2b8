"""What the site publishes of one meeting: its public view, its protokoll once justerat, and the files.

Only public things are read here: the meeting through
:func:`meetingdocs.secrecy.public_view` (the agenda) and
:func:`~meetingdocs.secrecy.minutes_view` (the protokoll), the public packet
(``packets/MEETING/publik/kallelse.pdf``, never the internal one) and the
protokoll's files (``protokoll.pdf``, the anslagsbevis and the utdrag) only
when ``protokoll.yaml`` says ``justerat: ja`` and the protokoll was built
after that (its anslagsbevis is there: the build makes it only for a
justerat protokoll).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pypdf import PdfReader

from .. import secrecy
from ..minutes import build as minutes_build
from ..minutes.record import RECORD_FILE, Record, load_record
from ..errors import display_path
from ..model import AgendaItem, Meeting
from ..packet import public_packet_path
from ..pdf.assemble import outline_of
from ..render.documents import attachment_label
from ..sources import load_meeting

log = logging.getLogger(__name__)

PACKET_NAME = "kallelse.pdf"  # on the site: the public packet, under the name the e-mail link uses
REPORT_TITLE = "Tjänsteskrivelse"  # the packet's bookmark of an item's tjänsteskrivelse
_ITEM_BOOKMARK = re.compile(r"^(\d+)\. ")
# Loggers whose warnings a build of the same meeting has already shown (read quietly a second time).
LOADERS = ("meetingdocs.sources", "meetingdocs.minutes.record", "meetingdocs.minutes.build",
           "meetingdocs.committee")


@dataclass(frozen=True)
class PublicFile:
    """A file of the site, copied from packets/."""

    name: str  # its name in the meeting's folder on the site
    title: str  # what a link to it says
    source: Path
    pages: int
    size: int  # bytes

    @property
    def size_text(self) -> str:
        """'1,2 MB', '340 kB', as a link to a PDF says it."""
        if self.size >= 1_000_000:
            return f"{self.size / 1_000_000:.1f} MB".replace(".", ",")
        return f"{max(1, round(self.size / 1000))} kB"

    @property
    def pages_text(self) -> str:
        return "1 sida" if self.pages == 1 else f"{self.pages} sidor"


@dataclass(frozen=True)
class Document:
    """One document of an item, as the public packet holds it."""

    title: str  # "Tjänsteskrivelse", "Bilaga 1: …"
    page: int | None  # 1-based page in the public packet; None when the packet is not published
    secrecy: str = ""  # the OSL ground of a secret bilaga: only its title is shown


@dataclass
class MeetingSite:
    meeting: Meeting  # the public view: what the agenda may show
    folder: str  # site-relative folder, 'gns/2020-12-11/'
    packet: PublicFile | None = None  # the public packet; None: "Handlingarna publiceras senare"
    documents: dict[int, list[Document]] = field(default_factory=dict)  # item number -> its documents
    minutes: Meeting | None = None  # the protokoll's view of the meeting, once there is a record
    record: Record | None = None  # protokoll.yaml, §§ numbered; None before the meeting
    protokoll: PublicFile | None = None
    notices: dict[bool, PublicFile] = field(default_factory=dict)  # immediate? -> the anslagsbevis
    extracts: dict[int, PublicFile] = field(default_factory=dict)  # § -> its protokollsutdrag
    # What is marked secret, as the sources say it (the public view has the secret text out already):
    secret_items: dict[int, str] = field(default_factory=dict)  # item number -> OSL ground
    secret_bilagor: dict[tuple[int, int], str] = field(default_factory=dict)  # (item, bilaga number) -> ground

    @property
    def adjusted(self) -> bool:
        """Whether the protokoll is justerat: then it is published (as a web page, and as PDF once built)."""
        return self.record is not None and self.record.adjusted

    def item_secrecy(self, item: AgendaItem) -> str:
        """The OSL ground of a secret item ("" when it is public): then only its title and dnr are shown."""
        return self.secret_items.get(item.number, "") if item.number is not None else ""

    def item_documents(self, item: AgendaItem) -> list[Document]:
        return self.documents.get(item.number, []) if item.number is not None else []


def meeting_folder(meeting: Meeting) -> str:
    """The meeting's folder on the site: 'gns/2020-12-11/' (the address pattern the e-mail link may use)."""
    return f"{meeting.committee.key}/{meeting.id}/"


@contextlib.contextmanager
def quiet(enabled: bool) -> Iterator[None]:
    """Hold back the warnings of loading a meeting that a build has just shown (they would be shown twice)."""
    if not enabled:
        yield
        return
    loggers = [logging.getLogger(name) for name in LOADERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def has_record(meeting_dir: Path) -> bool:
    return (meeting_dir / RECORD_FILE).is_file()


def load_record_of(sources: Path, meeting: Meeting) -> Record:
    """protokoll.yaml of ``meeting`` (its minutes view), with the §§ numbered."""
    record = load_record(meeting)
    numbering_log = logging.getLogger(minutes_build.__name__)
    level = numbering_log.level
    numbering_log.setLevel(logging.WARNING)  # "Paragraferna blir …" is news only when the protokoll is built
    try:
        minutes_build.number_paragraphs(sources, meeting, record)
    finally:
        numbering_log.setLevel(level)
    return record


def read_meeting(sources: Path, meeting_dir: Path, packets: Path, *, built: bool) -> MeetingSite:
    """Everything the site shows of one meeting. ``built``: its packet and protokoll were just built (and
    their warnings shown)."""
    with quiet(built):
        loaded, _ = load_meeting(meeting_dir)
        site = MeetingSite(secrecy.public_view(loaded), meeting_folder(loaded))
        mark_secrets(site, loaded)
        if has_record(meeting_dir):
            site.minutes = secrecy.minutes_view(loaded)
            site.record = load_record_of(sources, site.minutes)
    attach_packet(site, packets)
    if site.adjusted:
        attach_minutes(site, packets / loaded.id)
    return site


def mark_secrets(site: MeetingSite, loaded: Meeting) -> None:
    """Note which items and bilagor are secret: only their grounds are taken from the sources' meeting."""
    for item in loaded.cases:
        case = item.case
        if secrecy.item_is_secret(case):
            site.secret_items[item.number] = case.secrecy
        for attachment in case.attachments:
            if attachment.secrecy or case.secrecy:
                site.secret_bilagor[item.number, attachment.number] = attachment.secrecy or case.secrecy


# ------------------------------------------------------------------ the packet


def attach_packet(site: MeetingSite, packets: Path) -> None:
    """The public packet and the page where each document starts in it."""
    path = public_packet_path(packets, site.meeting.id)
    if not path.is_file() or _older_than_sources(path, site, "kallelsen", skip=(RECORD_FILE,)):
        if not path.is_file():
            log.info("%s: den offentliga kallelsen finns inte; sidan säger att handlingarna publiceras senare.",
                     site.meeting.id)
        for item in site.meeting.cases:
            site.documents[item.number] = _documents(site, item, {}, None)
        return
    site.packet = public_file(PACKET_NAME, "Kallelse med handlingar", path)
    starts = document_starts(path)
    for item in site.meeting.cases:
        site.documents[item.number] = _documents(site, item, *starts.get(item.number, ({}, None)))


def document_starts(packet: Path) -> dict[int, tuple[dict[str, int], int]]:
    """Item number -> ({document title: first page}, the item's first page), from the packet's bookmarks."""
    starts: dict[int, tuple[dict[str, int], int]] = {}
    current: int | None = None
    for depth, title, page in outline_of(packet):
        match = _ITEM_BOOKMARK.match(title)
        if depth == 0:
            current = int(match.group(1)) if match else None
            if current is not None:
                starts[current] = ({}, page + 1)
        elif depth == 1 and current is not None:
            starts[current][0].setdefault(title, page + 1)
    return starts


def _documents(site: MeetingSite, item: AgendaItem, pages: dict[str, int], first: int | None) -> list[Document]:
    case = item.case
    documents = [Document(REPORT_TITLE, pages.get(REPORT_TITLE, first))] if case.has_report else []
    for attachment in case.attachments:
        label = attachment_label(attachment)
        ground = site.secret_bilagor.get((item.number, attachment.number), "")
        documents.append(Document(label, pages.get(label, first), ground))
    return documents


def _older_than_sources(built: Path, site: MeetingSite, what: str, skip: tuple[str, ...] = ()) -> bool:
    """Whether a file of the meeting's folder changed after ``built`` was made: then ``built`` may hold what
    is now marked secret, and is not published (with a warning that says how to build it anew)."""
    made = built.stat().st_mtime
    newer = sorted(p for p in site.meeting.folder.rglob("*")
                   if p.is_file() and p.name not in skip and p.stat().st_mtime > made)
    if newer:
        meeting_id = site.meeting.id
        log.warning("%s: %s i %s byggdes före den senaste ändringen av %s och publiceras inte (den kan sakna en "
                    "sekretessmarkering som gjorts sedan). Bygg den på nytt: make publish DATE=%s.",
                    meeting_id, what, display_path(built.parent), display_path(newer[0]), meeting_id)
    return bool(newer)


def public_file(name: str, title: str, path: Path) -> PublicFile:
    return PublicFile(name, title, path, len(PdfReader(path).pages), path.stat().st_size)


# ------------------------------------------------------------------ the protokoll


def attach_minutes(site: MeetingSite, built: Path) -> None:
    """protokoll.pdf, the anslagsbevis and the utdrag, when a build of the justerat protokoll made them."""
    notice = built / minutes_build.ANSLAGSBEVIS_PDF
    if notice.is_file() and _older_than_sources(notice, site, "protokollet"):
        return
    if not notice.is_file():
        log.warning("%s: protokollet är justerat, men det justerade protokollet med anslagsbevis finns inte i %s. "
                    "Webbplatsen visar protokollet som webbsida; PDF:erna publiceras när du har kört make publish "
                    "DATE=%s.", site.meeting.id, display_path(built), site.meeting.id)
        return
    site.protokoll = public_file(minutes_build.PROTOKOLL_PDF, "Protokoll", built / minutes_build.PROTOKOLL_PDF)
    site.notices[False] = public_file(minutes_build.ANSLAGSBEVIS_PDF, "Bevis om anslag", notice)
    immediate = built / minutes_build.IMMEDIATE_ANSLAGSBEVIS_PDF
    if immediate.is_file():
        site.notices[True] = public_file(minutes_build.IMMEDIATE_ANSLAGSBEVIS_PDF,
                                         "Bevis om anslag, omedelbar justering", immediate)
    for decision in site.record.decisions:
        name = minutes_build.utdrag_name(decision.paragraph)
        path = built / minutes_build.UTDRAG_DIR / name
        if path.is_file():
            site.extracts[decision.paragraph] = public_file(name, f"Protokollsutdrag § {decision.paragraph}", path)
