"""The guard in the builds: the files each build makes public, and a warning for each finding.

The internal builds (``build.py packet`` and ``build.py protokoll``) warn
and go on; the public build (issue 10) will refuse a personnummer.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..limits import MAX_LISTED_WARNINGS
from ..model import Meeting
from .. import secrecy
from ..sources import FRONT_MATTER, MEETING_FILE
from .documents import scan_files
from .findings import Finding

if TYPE_CHECKING:
    from ..minutes.record import Record

log = logging.getLogger(__name__)


def packet_files(meeting: Meeting) -> list[Path]:
    """What the kallelse is made of: mote.yaml, each item's text and its bilagor."""
    files = [meeting.folder / MEETING_FILE]
    for item in meeting.cases:
        files.append(item.case.source)
        files += [attachment.path for attachment in item.case.attachments]
    return files


def minutes_files(meeting: Meeting, record: Record) -> list[Path]:
    """What the protokoll is made of: mote.yaml, the items' texts, protokoll.yaml and written reservations."""
    files = [meeting.folder / MEETING_FILE] + [item.case.source for item in meeting.cases] + [record.source]
    return files + [reservation.written for decision in record.decisions for reservation in decision.reservations
                    if reservation.written is not None]


def scan_meeting(meeting: Meeting, today: dt.date | None = None) -> list[Finding]:
    return scan_files(packet_files(meeting), today)


def scan_minutes(meeting: Meeting, record: Record, today: dt.date | None = None) -> list[Finding]:
    return scan_files(minutes_files(meeting, record), today)


def warn_about_personal_data(meeting: Meeting) -> list[Finding]:
    """For ``build.py packet``: a warning ("Varning: …") for each finding in the packet's sources."""
    return _warn(scan_meeting(meeting))


def warn_about_personal_data_in_minutes(meeting: Meeting, record: Record) -> list[Finding]:
    """For ``build.py protokoll``: a warning for each finding in what the protokoll is made of."""
    return _warn(scan_minutes(meeting, record))


def _warn(findings: list[Finding]) -> list[Finding]:
    for finding in findings[:MAX_LISTED_WARNINGS]:
        log.warning("%s", finding.message())
    if len(findings) > MAX_LISTED_WARNINGS:
        log.warning("… och %d möjliga personuppgifter till i handlingarna; ta bort dem ovan och kör igen för att "
                    "se resten.", len(findings) - MAX_LISTED_WARNINGS)
    return findings


# ------------------------------------------------------------- the public build


def published_numbers(meeting: Meeting, findings: list[Finding]) -> list[Finding]:
    """The personnummer and samordningsnummer of ``findings`` that the public packet would show: those not
    in a secret item's text, a secret bilaga or a secret passage (see meetingdocs/secrecy.py)."""
    secret_items = {item.case.source for item in meeting.cases if item.case.secrecy}
    secret_bilagor = {a.path for item in meeting.cases for a in item.case.attachments
                      if a.secrecy or item.case.secrecy}
    numbers = [f for f in findings if f.is_number and f.file not in secret_bilagor]
    hidden = {path: _secret_lines(path, whole_body=path in secret_items) for path in {f.file for f in numbers}}
    return [f for f in numbers if f.line not in hidden[f.file]]


def _secret_lines(path: Path, *, whole_body: bool) -> set[int]:
    """1-based lines of ``path`` that the public packet leaves out: inside its secret passages, and, for a
    secret item, everything after the front matter (its title and dnr stay public)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    lines = {line + 1 for p in secrecy.passages(text) for line in range(p.first, p.last + 1)}
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    if whole_body and match:
        lines |= set(range(text[: match.end()].count("\n") + 1, text.count("\n") + 2))
    return lines
