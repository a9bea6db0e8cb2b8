"""Paragraph (§) numbers run through the calendar year across a committee's meetings.

Every numbered agenda item of a meeting gets one §, except a point without a
decision ('punkt:', "5. Fika"): the §§ after it keep counting on. The first meeting of a
year in ``sources/`` starts at § 1 unless its protokoll.yaml says
``paragrafer från``; each later meeting continues where the one before it
ended. An explicit start that leaves a gap or overlaps the previous
meeting's paragraphs is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schema as s
from ..errors import Problem, SourceError
from ..sources import MEETING_FILE, list_meetings
from .record import RECORD_FILE


@dataclass(frozen=True)
class Span:
    meeting_id: str
    committee: str
    first: int
    count: int
    explicit: bool

    @property
    def last(self) -> int:
        return self.first + self.count - 1


def _field(data: Any, name: str) -> Any:
    if not isinstance(data, dict):
        return None
    return next((v for k, v in data.items() if s.norm_key(k) == s.norm_key(name)), None)


def _read(path: Path, problems: list[Problem]) -> Any:
    if not path.is_file():
        return None
    return s.load_yaml_file(path, problems, empty={})


def _agenda_size(meeting_data: Any) -> int:
    """The items that get a §: everything in föredragningslista but breaks and points without a decision."""
    items = _field(meeting_data, "föredragningslista")
    if not isinstance(items, list):
        return 0
    return sum(1 for item in items if not _without_paragraph(item))


def _without_paragraph(item: Any) -> bool:
    """A break ('paus:') or a point ('punkt:'): no decision, no §."""
    return isinstance(item, dict) and any(_field(item, key) is not None for key in ("paus", "punkt"))


def year_spans(sources: Path, committee: str, year: int) -> list[Span]:
    """The § span of each of ``committee``'s meetings in ``year``, in date order."""
    problems: list[Problem] = []
    spans: list[Span] = []
    for meeting_id in list_meetings(sources):
        if not meeting_id.startswith(f"{year}-"):
            continue
        folder = sources / meeting_id
        data = _read(folder / MEETING_FILE, problems)
        if str(_field(data, "nämnd") or "").strip() != committee:
            continue
        start = _field(_read(folder / RECORD_FILE, problems), "paragrafer från")
        explicit = isinstance(start, int) and not isinstance(start, bool) and start >= 1
        previous = spans[-1] if spans else None
        first = start if explicit else (previous.last + 1 if previous else 1)
        span = Span(meeting_id, committee, first, _agenda_size(data), explicit)
        if previous is not None and explicit and first != previous.last + 1:
            kind = "hoppar över" if first > previous.last + 1 else "överlappar"
            problems.append(Problem(
                folder / RECORD_FILE,
                f"paragraferna börjar på § {first} men sammanträdet {previous.meeting_id} slutade på "
                f"§ {previous.last}; numreringen {kind} paragrafer. Ta bort 'paragrafer från' så fortsätter "
                f"numreringen av sig själv (§ {previous.last + 1}), eller rätta numret.",
                field="paragrafer från"))
        spans.append(span)
    if problems:
        raise SourceError(problems)
    return spans


def span_for(sources: Path, committee: str, meeting_id: str, year: int) -> Span:
    for span in year_spans(sources, committee, year):
        if span.meeting_id == meeting_id:
            return span
    raise SourceError([Problem(sources / meeting_id / MEETING_FILE,
                               f"sammanträdet hör inte till nämnden {committee} år {year}.")])
