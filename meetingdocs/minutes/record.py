"""What happened at the meeting: read and check ``protokoll.yaml``.

The secretary records attendance, justering and per agenda item the
decision and what led to it. This module turns that file into a typed
record and checks it against Kommunallagen's rules (quorum, votes by the
serving members only, jäv, reservations, tjänstgörande ersättare).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import names
from .. import schema as s
from ..markdown_check import report_markdown
from ..errors import Problem, SourceError, quote
from ..model import AgendaItem, Meeting, Person
from ..render.documents import md_escape
from ..sources import MEETING_FILE, split_front_matter
from . import dates, standard, votes
from .votes import ADOPTED, ADOPTED_MOTION, MOTION, PROPOSAL, Motion, Option, Vote

log = logging.getLogger(__name__)

RECORD_FILE = "protokoll.yaml"
JUSTERING_DAYS = 14
IMMEDIATE_POSTING = "anslag omedelbar justering"  # the day the notice of the §§ justerade at the meeting went up
APPEAL_LAWFULNESS = "laglighetsprövning"  # kommunallagen 13 kap.: the default
APPEAL_ADMINISTRATIVE = "förvaltningsbesvär"  # förvaltningslagen (2017:900)
APPEAL_NONE = ""  # 'överklagande: nej': no appeal text
NO_APPEAL_WORDS = ("nej", "ingen", "inget")


def appeal_route(written: str | None) -> str | None:
    """'överklagande:' of a § (or of the committee) as the protokoll uses it.

    None when not written (the committee's choice applies), APPEAL_LAWFULNESS or APPEAL_ADMINISTRATIVE
    however it is spelled, APPEAL_NONE for 'nej', else the own text as written.
    """
    if written is None:
        return None
    key = s.norm_key(written).replace("_", "")
    for route in (APPEAL_LAWFULNESS, APPEAL_ADMINISTRATIVE):
        if key == s.norm_key(route).replace("_", ""):
            return route
    return APPEAL_NONE if key in NO_APPEAL_WORDS else written.strip()
NOTED = "noteras"  # an information item
POINT = "point"  # AgendaItem.kind of a numbered point without a decision ('punkt:' in mote.yaml)
MOTION_KINDS = ("yrkande", "bifallsyrkande", "ändringsyrkande", "tilläggsyrkande", "avslag", "avslagsyrkande",
                "återremiss", "bordläggning")
VOTE_CHOICES = ("ja", "nej", "avstår")


def _within(number: int, first: int | None, last: int | None) -> bool:
    return (first is None or number >= first) and (last is None or number <= last)


def _range_text(first: int | None, last: int | None, meeting: Meeting) -> str:
    """'punkt 1–9' for an item range; open ends are the meeting's first and last item."""
    numbers = [item.number for item in meeting.agenda if item.number is not None]
    start = first if first is not None else min(numbers)
    end = last if last is not None else max(numbers)
    return f"punkt {start}" if start == end else f"punkt {start}–{end}"


@dataclass(frozen=True)
class Substitute:
    person: Person  # the ersättare
    replaces: Person  # the ledamot
    first: int | None = None  # agenda item numbers, inclusive
    last: int | None = None
    line: int | None = field(default=None, compare=False)  # where the entry stands in protokoll.yaml

    def serves_at(self, number: int) -> bool:
        return _within(number, self.first, self.last)


@dataclass(frozen=True)
class Partial:
    """A ledamot who arrives late or leaves early."""

    person: Person
    first: int | None = None
    last: int | None = None
    line: int | None = field(default=None, compare=False)

    def present_at(self, number: int) -> bool:
        return _within(number, self.first, self.last)


@dataclass(frozen=True)
class Reservation:
    person: Person
    text: str = ""
    written: Path | None = None  # written reservation, an appendix
    markdown: str = ""  # its text, read and checked when the record is loaded
    markdown_line: int = 1


@dataclass(frozen=True)
class Note:
    person: Person | None
    text: str


@dataclass
class Decision:
    item: AgendaItem
    paragraph: int = 0  # § number, set by numbering
    decision: str = ""  # Markdown, resolved (never the word "bifall")
    keyword: str = ""  # "bifall", "bifall till", "noteras", or "" for the secretary's own text
    chosen: Option | None = None  # the proposition 'bifall' / 'bifall till …' adopts
    information: str = ""  # Markdown for a standard item's own text
    motions: list[Motion] = field(default_factory=list)
    proposition_order: str = ""
    vote: Vote | None = None
    reservations: list[Reservation] = field(default_factory=list)
    disqualified: list[Person] = field(default_factory=list)  # jäv
    notes: list[Note] = field(default_factory=list)
    dispatch: list[str] = field(default_factory=list)
    immediate: bool = False  # justeras omedelbart
    appeal: str | None = None  # överklagande: None = the committee's, APPEAL_* keyword, "" = none, or own text
    line: int | None = None  # where the decision starts in protokoll.yaml
    lines: dict[str, int] = field(default_factory=dict)  # field (normalised key) -> line

    def line_of(self, key: str) -> int | None:
        return self.lines.get(s.norm_key(key), self.line)


@dataclass
class Record:
    source: Path
    time: str
    breaks: list[str]
    place: str
    start: int | None  # explicit first § number
    absent: list[Person]
    substitutes: list[Substitute]
    partial: list[Partial]
    deputies_present: list[Person]
    others: list[Person]
    adjusters: list[Person]  # justerare
    adjustment_date: dt.date | None
    adjustment_place: str
    adjusted: bool  # justerat
    posted: dt.date | None  # anslaget sätts upp
    kept_at: str
    decisions: list[Decision]
    adjustment_line: int | None = None  # where justering: datum: stands in protokoll.yaml
    posted_line: int | None = None  # where anslag: datum: stands
    meeting_date: dt.date | None = None  # the day the §§ with 'justeras omedelbart: ja' were justerade
    immediate_posted: dt.date | None = None  # anslag omedelbar justering: their notice went up
    immediate_posted_line: int | None = None

    def serving(self, meeting: Meeting, number: int, *, with_disqualified: bool = False) -> list[Person]:
        """Who takes part in the decision of agenda item ``number``.

        Members who declared jäv do not, unless ``with_disqualified``.
        """
        result = []
        absent = {p.name for p in self.absent}
        partial = {p.person.name: p for p in self.partial}
        for member in meeting.committee.members:
            if member.name in absent:
                continue
            if member.name in partial and not partial[member.name].present_at(number):
                continue
            result.append(member)
        for substitute in self.substitutes:
            if substitute.serves_at(number):
                result.append(substitute.person)
        decision = next((d for d in self.decisions if d.item.number == number), None)
        if decision is not None and not with_disqualified:
            barred = {p.name for p in decision.disqualified}
            result = [p for p in result if p.name not in barred]
        return result

    def why_not_serving(self, meeting: Meeting, name: str, number: int) -> str:
        """Why ``name`` does not serve at item ``number``, for messages."""
        decision = next((d for d in self.decisions if d.item.number == number), None)
        if decision is not None and name in {p.name for p in decision.disqualified}:
            return "har anmält jäv"
        if name in {p.name for p in self.absent}:
            return "antecknad som frånvarande"
        partial = next((p for p in self.partial if p.person.name == name), None)
        if partial is not None and not partial.present_at(number):
            return f"delvis närvarande, deltar bara i {_range_text(partial.first, partial.last, meeting)}"
        substitute = next((sub for sub in self.substitutes if sub.replaces.name == name and sub.serves_at(number)),
                          None)
        if substitute is not None:
            return f"ersatt av {substitute.person.name} vid punkten"
        ranges = [_range_text(sub.first, sub.last, meeting) for sub in self.substitutes if sub.person.name == name]
        if ranges:
            return f"tjänstgörande ersättare bara vid {' och '.join(ranges)}"
        if name in {p.name for p in meeting.committee.deputies}:
            return "ersättare, men står inte under tjänstgörande ersättare"
        return "inte med bland de tjänstgörande"

    @property
    def take_down(self) -> dt.date | None:
        """The day the notice comes down: the day after the last appeal day."""
        return self.main_notice.take_down

    @property
    def last_appeal_day(self) -> dt.date | None:
        """Three weeks after the posting, moved past weekends and holidays (see dates.py)."""
        return self.main_notice.last_appeal_day

    @property
    def immediate(self) -> list[Decision]:
        """The decisions justerade at the meeting ('justeras omedelbart: ja')."""
        return [d for d in self.decisions if d.immediate]

    @property
    def main_notice(self) -> Notice:
        """The notice of the protokoll's justering; not up (whatever anslag: says) while it is not justerat."""
        return Notice(False, self.adjustment_date, self.posted if self.adjusted else None)

    @property
    def immediate_notice(self) -> Notice:
        """The notice of the §§ justerade at the meeting, by the ordförande and the justerare."""
        return Notice(True, self.meeting_date, self.immediate_posted)

    def notice(self, decision: Decision) -> Notice:
        """The notice from whose posting the appeal time of ``decision`` runs."""
        return self.immediate_notice if decision.immediate else self.main_notice

    def adjusted_at(self, decision: Decision) -> bool:
        """Whether ``decision`` is justerad: at the meeting, or with the protokoll."""
        return decision.immediate or self.adjusted


@dataclass(frozen=True)
class Notice:
    """A notice of justering on the anslagstavla (kommunallagen 8 kap. 12 §) and the dates that follow."""

    immediate: bool  # the notice of the §§ justerade at the meeting
    adjusted: dt.date | None  # the day of justering
    posted: dt.date | None  # the day the notice went up; None until it is written in protokoll.yaml

    @property
    def last_appeal_day(self) -> dt.date | None:
        """Three weeks after the posting, moved past weekends and holidays (see dates.py)."""
        return dates.last_appeal_day(self.posted) if self.posted else None

    @property
    def take_down(self) -> dt.date | None:
        """The day the notice comes down: the day after the last appeal day."""
        return dates.take_down_day(self.posted) if self.posted else None


# ------------------------------------------------------------------ fields

RANGE_FROM = s.Field("från", s.raw, aliases=("från punkt", "ankommer till punkt"))
RANGE_TO = s.Field("till", s.raw, aliases=("till punkt", "till och med punkt", "lämnar efter punkt"))
NAMED_RANGE_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("ersätter", s.text),
    RANGE_FROM,
    RANGE_TO,
]
OTHER_FIELDS = [s.Field("namn", s.text, required=True), s.Field("titel", s.text, default="")]
ADJUSTMENT_FIELDS = [s.Field("datum", s.date_value), s.Field("plats", s.text, default="")]
POSTING_FIELDS = [s.Field("datum", s.date_value), s.Field("förvaras", s.text, default="")]
RECORD_FIELDS = [
    s.Field("tid", s.time_text, required=True),
    s.Field("ajournering", s.raw, default=list),
    s.Field("plats", s.text, default=""),
    s.Field("paragrafer från", s.raw, aliases=("första paragraf",)),
    s.Field("frånvarande", s.raw, default=list),
    s.Field("tjänstgörande ersättare", s.raw, default=list),
    s.Field("delvis närvarande", s.raw, default=list),
    s.Field("närvarande ersättare", s.raw, default=list, aliases=("ersättare",)),
    s.Field("övriga", s.raw),
    s.Field("justerare", s.raw, required=True),
    s.Field("justering", s.raw, required=True),
    s.Field("justerat", s.raw, default=False),
    s.Field("anslag", s.raw, default=dict),
    s.Field(IMMEDIATE_POSTING, s.date_value),
    s.Field("beslut", s.raw, required=True),
]
DECISION_FIELDS = [
    s.Field("beslut", s.text, required=True),
    s.Field("text", s.text, default="", aliases=("information", "sammanfattning")),
    s.Field("yrkanden", s.raw, default=list),
    s.Field("propositionsordning", s.text, default=""),
    s.Field("omröstning", s.raw),
    s.Field("reservationer", s.raw, default=list),
    s.Field("jäv", s.raw, default=list),
    s.Field("protokollsanteckningar", s.raw, default=list),
    s.Field("expedieras till", s.text_list),
    s.Field("justeras omedelbart", s.raw, default=False),
    s.Field("överklagande", s.text),
]
MOTION_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("typ", s.one_of(*MOTION_KINDS), default="yrkande"),
    s.Field("text", s.text, default=""),
]
VOTE_FIELDS = [
    s.Field("ja", s.text, required=True),
    s.Field("nej", s.text, required=True),
    s.Field("röster", s.raw, required=True),
]
RESERVATION_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("text", s.text, default=""),
    s.Field("skriftlig", s.text, default=""),
]
NOTE_FIELDS = [s.Field("namn", s.text, default=""), s.Field("text", s.text, required=True)]

# ------------------------------------------------------------------- load


@dataclass(frozen=True)
class _Lines:
    """Where one YAML mapping and its keys stand in the file."""

    start: int | None
    keys: dict[str, int]

    @classmethod
    def of(cls, data: Any, fallback: int | None) -> _Lines:
        keys = {s.norm_key(k): v for k, v in getattr(data, "key_lines", {}).items()}
        return cls(getattr(data, "line", fallback), keys)

    def __call__(self, key: str) -> int | None:
        return self.keys.get(s.norm_key(key), self.start)

    def field(self, spec: s.Field) -> int | None:
        return next((self.keys[k] for k in spec.keys if k in self.keys), self.start)


def record_path(meeting: Meeting) -> Path:
    return meeting.folder / RECORD_FILE


def load_record(meeting: Meeting) -> Record:
    """Read and check the record; raise SourceError with every problem."""
    path = record_path(meeting)
    found = s.Collected()
    if not path.is_file():
        raise SourceError([Problem(path, "filen saknas. Skapa den efter sammanträdet med närvaro, justerare och "
                                         "besluten (se README, avsnittet Protokollet).")])
    loader = _Loader(meeting, path, found)
    record = loader.load()
    if record is not None and loader.attendance_read:
        # Attendance that could not be read would make every later check guess; fix it first.
        check_record(meeting, record, found)
    for warning in found.warnings:
        log.warning("%s", warning)
    if found.problems or record is None:
        raise SourceError(found.problems or [Problem(path, "protokollet kunde inte läsas.")])
    return record


class _Loader:
    def __init__(self, meeting: Meeting, path: Path, found: s.Collected):
        self.meeting = meeting
        self.path = path
        self.found = found
        committee = meeting.committee
        self.people = {p.name: p for p in committee.members + committee.deputies}
        self.members = {p.name for p in committee.members}
        self.deputies = {p.name for p in committee.deputies}
        self.numbers = {item.number for item in meeting.agenda if item.number is not None}
        self.attendance_read = True

    def problem(self, message: str, field: str | None = None, line: int | None = None) -> None:
        self.found.problems.append(Problem(self.path, message, field=field, line=line))

    def load(self) -> Record | None:
        data = s.load_yaml_file(self.path, self.found.problems)
        if data is None:
            return None
        values = self.found.reader(self.path).read(data, RECORD_FIELDS)
        if values is None:
            return None
        self.lines = getattr(data, "key_lines", {})
        committee = self.meeting.committee
        before = len(self.found.problems)
        absent = [self.person(n, "frånvarande", members_only=True) for n in self.names(values["frånvarande"],
                                                                                       "frånvarande")]
        substitutes = self.substitutes(values["tjänstgörande ersättare"])
        partial = self.partial(values["delvis närvarande"])
        self.each_member_once([p for p in absent if p], partial)
        self.attendance_read = len(self.found.problems) == before
        deputies_present = [self.person(n, "närvarande ersättare", deputies_only=True)
                            for n in self.names(values["närvarande ersättare"], "närvarande ersättare")]
        others = self.meeting.others
        if values["övriga"] is not None:
            rows = self.rows(values["övriga"], "övriga", OTHER_FIELDS)
            others = [Person(r["namn"], title=r["titel"]) for r in rows]
        adjusters = [self.person(n, "justerare") for n in self.names(values["justerare"], "justerare")]
        adjustment = self.found.reader(self.path, "justering.").read(values["justering"], ADJUSTMENT_FIELDS,
                                                                     self.line("justering")) or {}
        posting = self.found.reader(self.path, "anslag.").read(values["anslag"] or {}, POSTING_FIELDS,
                                                               self.line("anslag")) or {}
        start = values["paragrafer från"]
        if start is not None and (not isinstance(start, int) or isinstance(start, bool) or start < 1):
            self.problem("ska vara ett heltal från 1, till exempel 41.", "paragrafer från",
                         self.line("paragrafer från"))
            start = None
        breaks = values["ajournering"]
        breaks = [breaks] if not isinstance(breaks, list) else breaks
        breaks = [self.time(b, "ajournering") for b in breaks if b not in (None, "")]
        record = Record(
            source=self.path,
            time=values["tid"],
            breaks=[b for b in breaks if b],
            place=values["plats"] or self.meeting.place,
            start=start,
            absent=[p for p in absent if p],
            substitutes=substitutes,
            partial=partial,
            deputies_present=[p for p in deputies_present if p],
            others=others,
            adjusters=[p for p in adjusters if p],
            adjustment_date=adjustment.get("datum"),
            adjustment_place=adjustment.get("plats", ""),
            adjusted=self.flag(values["justerat"], "justerat"),
            posted=posting.get("datum"),
            kept_at=posting.get("förvaras") or committee.minutes_kept_at,
            decisions=[],
            adjustment_line=_Lines.of(values["justering"], self.line("justering"))("datum"),
            posted_line=_Lines.of(values["anslag"], self.line("anslag"))("datum"),
            meeting_date=self.meeting.date,
            immediate_posted=values[IMMEDIATE_POSTING],
            immediate_posted_line=self.line(IMMEDIATE_POSTING),
        )
        record.decisions = self.decisions(values["beslut"], record)
        if record.adjusted and record.adjustment_date is None:
            self.problem("protokollet är markerat som justerat men justeringens datum saknas.", "justering.datum",
                         self.line("justering"))
        if record.adjusted and record.posted is None:
            self.problem("när protokollet är justerat ska dagen för anslaget anges (anslag: datum: ÅÅÅÅ-MM-DD); "
                         "överklagandetiden räknas från den dagen.", "anslag.datum", self.line("justerat"))
        return record

    # -- small readers

    def line(self, name: str) -> int | None:
        return next((v for k, v in self.lines.items() if s.norm_key(k) == s.norm_key(name)), None)

    def flag(self, value: Any, name: str) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("ja", "true", "sant"):
            return True
        if text in ("nej", "false", "falskt", ""):
            return False
        self.problem("skriv ja eller nej.", name, self.line(name))
        return False

    def time(self, value: Any, name: str) -> str:
        try:
            return s.time_text(value)
        except s.Invalid as exc:
            self.problem(str(exc), name, self.line(name))
            return ""

    def names(self, value: Any, name: str) -> list[str]:
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            return [value.strip()]
        if not isinstance(value, list) or not all(isinstance(v, (str, dict)) for v in value):
            self.problem("här ska det stå en lista med namn, ett per rad som börjar med '- '.", name,
                         self.line(name))
            return []
        result = []
        for entry in value:
            if isinstance(entry, dict):
                entry = next((v for k, v in entry.items() if s.norm_key(k) == "namn"), "")
            result.append(str(entry).strip())
        return [r for r in result if r]

    def rows(self, value: Any, name: str, fields: list[s.Field]) -> list[dict]:
        return [row for row, _ in self.located_rows(value, name, fields)]

    def located_rows(self, value: Any, name: str, fields: list[s.Field]) -> list[tuple[dict, _Lines]]:
        """Each entry of a list, read against ``fields``, with where its keys stand."""
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            self.problem("här ska det stå en lista där varje post börjar med '- '.", name, self.line(name))
            return []
        rows = []
        for index, entry in enumerate(value, start=1):
            lines = _Lines.of(entry, self.line(name))
            if isinstance(entry, str):
                entry = {"namn": entry}
            row = self.found.reader(self.path, f"{name}[{index}].").read(entry, fields, self.line(name))
            if row is not None:
                rows.append((row, lines))
        return rows

    def person(self, name: str, field: str, *, members_only: bool = False,
               deputies_only: bool = False, line: int | None = None) -> Person | None:
        line = line if line is not None else self.line(field.split("[")[0])
        person = self.people.get(name)
        if person is None:
            import difflib

            close = difflib.get_close_matches(name, list(self.people), n=1, cutoff=0.6)
            hint = f" Menade du '{close[0]}'?" if close else ""
            self.problem(f"'{name}' finns inte bland ledamöterna och ersättarna i "
                         f"{self.meeting.committee.source.name}.{hint}", field, line)
            return None
        if members_only and name not in self.members:
            self.problem(f"{name} är ersättare, inte ledamot.", field, line)
            return None
        if deputies_only and name not in self.deputies:
            self.problem(f"{name} är ledamot, inte ersättare.", field, line)
            return None
        return person

    def item_number(self, value: Any, field: str, line: int | None = None) -> int | None:
        if value is None:
            return None
        text = str(value).strip().removeprefix("punkt").strip()
        if isinstance(value, bool) or not text.isdigit() or int(text) not in self.numbers:
            self.problem(f"'{value}' är inget punktnummer i föredragningslistan "
                         f"({min(self.numbers)}–{max(self.numbers)}).", field,
                         line if line is not None else self.line(field.split("[")[0]))
            return None
        return int(text)

    def item_range(self, row: dict, lines: _Lines, field: str) -> tuple[int | None, int | None] | None:
        """från and till as agenda item numbers, in order; None if they cannot be used."""
        first_line, last_line = lines.field(RANGE_FROM), lines.field(RANGE_TO)
        before = len(self.found.problems)
        first = self.item_number(row.get("från"), field + ".från", first_line)
        last = self.item_number(row.get("till"), field + ".till", last_line)
        if len(self.found.problems) > before:
            return None
        if first is not None and last is not None and first > last:
            self.problem(f"från punkt {first} till punkt {last} går baklänges. 'från' är den första punkten "
                         f"personen deltar i och 'till' den sista, så 'från' får inte vara större än 'till' "
                         f"(menade du från: {last}, till: {first}?).", field + ".till", last_line)
            return None
        return first, last

    def substitutes(self, value: Any) -> list[Substitute]:
        result = []
        rows = self.located_rows(value, "tjänstgörande ersättare", NAMED_RANGE_FIELDS)
        for index, (row, lines) in enumerate(rows, start=1):
            field = f"tjänstgörande ersättare[{index}]"
            person = self.person(row["namn"], field, deputies_only=True, line=lines("namn"))
            if not row.get("ersätter"):
                self.problem("ange vilken ledamot ersättaren tjänstgör för (ersätter: Namn).", field, lines.start)
                continue
            replaces = self.person(row["ersätter"], field + ".ersätter", members_only=True, line=lines("ersätter"))
            span = self.item_range(row, lines, field)
            if person and replaces and span:
                result.append(Substitute(person, replaces, *span, line=lines.start))
        return result

    def partial(self, value: Any) -> list[Partial]:
        result = []
        for index, (row, lines) in enumerate(self.located_rows(value, "delvis närvarande", NAMED_RANGE_FIELDS),
                                             start=1):
            field = f"delvis närvarande[{index}]"
            person = self.person(row["namn"], field, members_only=True, line=lines("namn"))
            span = self.item_range(row, lines, field)
            if span == (None, None):
                self.problem("ange från vilken punkt ledamoten deltog (från:) eller till och med vilken (till:), "
                             "eller båda; annars är ledamoten närvarande hela sammanträdet och ska inte stå här.",
                             field, lines.start)
            elif person and span:
                result.append(Partial(person, *span, line=lines.start))
        return result

    def each_member_once(self, absent: list[Person], partial: list[Partial]) -> None:
        """A ledamot is frånvarande or delvis närvarande, once; never both."""
        seen: dict[str, str] = {}
        entries = [(p.name, "frånvarande", self.line("frånvarande")) for p in absent]
        entries += [(p.person.name, "delvis närvarande", p.line) for p in partial]
        for name, where, line in entries:
            if name in seen:
                also = "där också" if seen[name] == where else f"också under {seen[name]}"
                self.problem(f"{name} står under {where} och {also}. Ange ledamoten en gång: frånvarande om "
                             "hen inte deltog alls, annars delvis närvarande med från/till.", where, line)
            seen[name] = where

    # -- decisions

    def decisions(self, value: Any, record: Record) -> list[Decision]:
        """One decision per numbered item that is decided; a point ('punkt:' in mote.yaml) has none."""
        line = self.line("beslut")
        if not isinstance(value, dict):
            self.problem("besluten ska stå per punktnummer, till exempel '3: bifall'.", "beslut", line)
            return []
        by_number = self.decisions_by_number(value, line)
        decisions = []
        for item in decided_items(self.meeting):
            if item.number not in by_number:
                self.problem(f"beslut saknas för punkt {item.number} ({item.title}). Skriv '{item.number}: bifall' "
                             "om förslaget till beslut antogs, annars beslutets text.", "beslut", line)
                continue
            entry, entry_line = by_number[item.number]
            decision = self.decision(item, entry, entry_line, record)
            if decision is not None:
                decisions.append(decision)
        return decisions

    def decisions_by_number(self, value: dict, line: int | None) -> dict[int, tuple[Any, int | None]]:
        """The entries under beslut: by agenda number; an entry for a point is a problem."""
        points = {item.number: item for item in self.meeting.agenda if item.kind == POINT}
        noun = self.meeting.committee.body_noun
        by_number: dict[int, tuple[Any, int | None]] = {}
        key_lines = getattr(value, "key_lines", {})
        for key, entry in value.items():
            number = self.item_number(key, f"beslut.{key}")
            entry_line = key_lines.get(str(key), line)
            if number in points:
                self.problem(f"punkt {number} ({points[number].title}) är en punkt utan beslut ('punkt:' i "
                             f"{MEETING_FILE}) och får ingen paragraf i protokollet. Ta bort '{number}:' under "
                             f"beslut, eller skriv punkten med 'rubrik:' eller 'ärende:' i {MEETING_FILE} om "
                             f"{noun} fattade ett beslut där.", f"beslut.{number}", entry_line)
            elif number is not None:
                by_number[number] = (entry, entry_line)
        return by_number

    def decision(self, item: AgendaItem, entry: Any, line: int | None, record: Record) -> Decision | None:
        where = f"beslut.{item.number}"
        if not isinstance(entry, dict):
            entry = {"beslut": entry}
        values = self.found.reader(self.path, where + ".").read(entry, DECISION_FIELDS, line)
        if values is None:
            return None
        lines = _Lines.of(entry, line)
        decision = Decision(item=item, information=values["text"], line=line, lines=lines.keys)
        decision.motions = self.motions(values["yrkanden"], where)
        self.decision_text(decision, values["beslut"], record)
        decision.proposition_order = values["propositionsordning"]
        if values["omröstning"] is not None:
            decision.vote = self.vote(values["omröstning"], where + ".omröstning", lines("omröstning"))
        decision.reservations = self.reservations(values["reservationer"], where)
        decision.disqualified = [p for p in (self.person(n, f"{where}.jäv", line=lines("jäv"))
                                             for n in self.names(values["jäv"], "jäv")) if p]
        for index, row in enumerate(self.rows(values["protokollsanteckningar"], where + ".protokollsanteckningar",
                                              NOTE_FIELDS), start=1):
            person = (self.person(row["namn"], f"{where}.protokollsanteckningar[{index}]",
                                  line=lines("protokollsanteckningar")) if row["namn"] else None)
            decision.notes.append(Note(person, row["text"]))
        if values["expedieras till"] is not None:
            decision.dispatch = values["expedieras till"]
        elif item.case is not None:
            decision.dispatch = list(item.case.dispatch)
        decision.immediate = self.flag(values["justeras omedelbart"], f"{where}.justeras omedelbart")
        decision.appeal = appeal_route(values["överklagande"])
        return decision

    def motions(self, value: Any, where: str) -> list[Motion]:
        result = []
        for index, (row, lines) in enumerate(self.located_rows(value, where + ".yrkanden", MOTION_FIELDS), start=1):
            person = self.person(row["namn"], f"{where}.yrkanden[{index}]", line=lines("namn"))
            if person:
                result.append(Motion(person, row["typ"], row["text"]))
        return votes.numbered(result)

    def reservations(self, value: Any, where: str) -> list[Reservation]:
        result = []
        for index, (row, lines) in enumerate(self.located_rows(value, where + ".reservationer", RESERVATION_FIELDS),
                                             start=1):
            person = self.person(row["namn"], f"{where}.reservationer[{index}]", line=lines("namn"))
            reservation = Reservation(person, row["text"]) if person else None
            if row["skriftlig"]:
                reservation = self.written_reservation(reservation, row["skriftlig"],
                                                       f"{where}.reservationer[{index}].skriftlig", lines("skriftlig"))
            if reservation is not None:
                result.append(reservation)
        return result

    def written_reservation(self, reservation: Reservation | None, name: str, field: str,
                            line: int | None) -> Reservation | None:
        """The reservation with its written text, read and checked now so that nothing is lost later."""
        folder = self.meeting.folder
        if unusable := names.name_problem(name):
            self.problem(f"namnet på den skriftliga reservationen '{quote(name)}' {unusable}. Skriv namnet på nytt.",
                         field, line)
            return None
        written = names.locate(folder, name).resolve()
        if not written.is_relative_to(folder.resolve()) or not written.is_file():
            self.problem(f"den skriftliga reservationen '{quote(name)}' finns inte i {folder}.", field, line)
            return None
        _, body, body_line = split_front_matter(written, self.found, required=False)
        report_markdown(self.found, written, body, body_line, folder)
        if reservation is None:
            return None
        return Reservation(reservation.person, reservation.text, written, body, body_line)

    def decision_text(self, decision: Decision, text: str, record: Record) -> None:
        """Resolve 'bifall', 'bifall till …' and 'noteras'; anything else is the decision's own text."""
        written = " ".join(text.split()).rstrip(".")
        word = written.lower()
        if word == ADOPTED:
            decision.keyword, decision.chosen = ADOPTED, Option(PROPOSAL)
            decision.decision = self.adopted_text(decision, record)
        elif word.startswith(ADOPTED_MOTION + " "):
            decision.keyword = ADOPTED_MOTION
            self.adopted_motion(decision, written[len(ADOPTED_MOTION):].strip(), record)
        elif word == NOTED:
            decision.keyword, decision.decision = NOTED, "Informationen noteras."
        else:
            decision.decision = text

    def adopted_text(self, decision: Decision, record: Record) -> str:
        """What 'bifall' means for this item: its förslag till beslut, or the standard decision."""
        item = decision.item
        if item.case is not None and item.case.proposal:
            return item.case.proposal
        known = standard.recognise(item.title)
        if known is not None and known.kind == standard.ADJUSTERS:
            return self.adjusters_decision(record)
        if known is not None:
            return known.decision
        self.problem(f"punkt {item.number} ({item.title}) har inget förslag till beslut att bifalla"
                     f"{' (ärendet har inget avsnitt Förslag till beslut)' if item.case is not None else ''}. "
                     "Skriv beslutet som text i stället för 'bifall', till exempel "
                     f"'{item.number}: Informationen läggs till handlingarna.' (eller under punkten "
                     "'beslut: Informationen läggs till handlingarna.').", f"beslut.{item.number}",
                     decision.line_of("beslut"))
        return ""

    def adopted_motion(self, decision: Decision, name: str, record: Record) -> None:
        """'bifall till Jörgen Perssons ändringsyrkande': the decision is that yrkande."""
        option = votes.resolve(name, decision.motions, self.meeting.committee.proposal_heading)
        if option is None or option.kind not in (PROPOSAL, MOTION) or not option.accepted:
            self.problem(f"'bifall till {name}' pekar inte ut något av förslagen vid punkt {decision.item.number}. "
                         f"Skriv 'bifall till' och ett av: {votes.valid_names(decision.motions)}; yrkandet ska stå "
                         "under yrkanden.", f"beslut.{decision.item.number}.beslut", decision.line_of("beslut"))
            return
        decision.chosen = option
        if option.kind == PROPOSAL:
            decision.decision = self.adopted_text(decision, record)
        else:
            decision.decision = self.motion_decision(decision, option.motion)

    def motion_decision(self, decision: Decision, motion: Motion) -> str:
        """The decision text for an adopted yrkande, in its own words (Markdown)."""
        reference = md_escape(votes.motion_reference(motion))
        words = " ".join(motion.text.split()).rstrip(".")
        if not words:
            clause = f" enligt {reference}."
        elif words.lower().startswith("att "):
            clause = f", enligt {reference}, {md_escape(words)}."
        else:
            clause = f" enligt {reference}: {md_escape(words)}."
        item = decision.item
        noun = self.meeting.committee.body_noun
        if motion.kind == "tilläggsyrkande" and item.case is not None and item.case.proposal:
            return f"{item.case.proposal}\n\nDärutöver beslutar {noun}{clause}"
        return f"{noun[:1].upper()}{noun[1:]} beslutar{clause}"

    def adjusters_decision(self, record: Record) -> str:
        names = [p.with_party() for p in record.adjusters]
        who = " och ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""
        when = record.adjustment_date.isoformat() if record.adjustment_date else ""
        place = f", {record.adjustment_place}" if record.adjustment_place else ""
        return f"{who} utses att jämte ordföranden justera dagens protokoll. Justering sker {when}{place}."

    def vote(self, value: Any, where: str, line: int | None) -> Vote | None:
        values = self.found.reader(self.path, where + ".").read(value, VOTE_FIELDS, line)
        if values is None:
            return None
        lines = _Lines.of(value, line)
        ballots = values["röster"]
        if not isinstance(ballots, dict):
            self.problem("rösterna skrivs som listor under ja:, nej: och avstår:.", where + ".röster",
                         lines("röster"))
            return None
        ballot_lines = _Lines.of(ballots, lines("röster"))
        vote = Vote(values["ja"], values["nej"], {}, lines={"ja": lines("ja"), "nej": lines("nej"),
                                                            "röster": lines("röster")})
        for choice, names in ballots.items():
            canonical = {"ja": "ja", "nej": "nej", "avstar": "avstår"}.get(s.norm_key(choice))
            if canonical is None:
                self.problem(f"'{choice}' är inget röstalternativ; använd ja, nej eller avstår.",
                             where + ".röster", ballot_lines(choice))
                continue
            vote.lines[f"röster.{canonical}"] = ballot_lines(choice)
            self.ballots(vote, canonical, self.names(names, f"{where}.röster.{choice}"), where, ballot_lines(choice))
        return vote

    def ballots(self, vote: Vote, choice: str, names: list[str], where: str, line: int | None) -> None:
        for name in names:
            if name in vote.votes:
                self.problem(f"{name} är räknad två gånger i omröstningen ({vote.votes[name]} och {choice}).",
                             where + ".röster", line)
            elif self.person(name, f"{where}.röster.{choice}", line=line):
                vote.votes[name] = choice


# ------------------------------------------------------------------ checks


def check_record(meeting: Meeting, record: Record, found: s.Collected) -> None:
    """Kommunallagen's rules, each a problem naming the file, the item and the line."""
    _check_substitutes(meeting, record, found)
    for decision in record.decisions:
        _check_decision(meeting, record, decision, found)
    _check_adjustment(meeting, record, found)


def _check_substitutes(meeting: Meeting, record: Record, found: s.Collected) -> None:
    """An ersättare serves for an absent ledamot, one at a time, and a ledamot has one ersättare at a time."""
    path = record.source
    for substitute in record.substitutes:
        for number in _item_numbers(meeting):
            if not substitute.serves_at(number):
                continue
            serving = {p.name for p in record.serving(meeting, number)}
            if substitute.replaces.name in serving:
                found.problems.append(Problem(
                    path, f"{substitute.person.name} tjänstgör för {substitute.replaces.name} vid punkt "
                          f"{number}, men {substitute.replaces.name} är själv närvarande och tjänstgör då. "
                          f"Ange {substitute.replaces.name} som frånvarande eller delvis närvarande, eller ange "
                          "från/till för ersättaren.", field="tjänstgörande ersättare", line=substitute.line))
                break
    reported: set[tuple[Substitute, Substitute]] = set()
    for number in _item_numbers(meeting):
        active = [sub for sub in record.substitutes if sub.serves_at(number)]
        for first, second in itertools.combinations(active, 2):
            if (first, second) in reported:
                continue
            if first.replaces == second.replaces and first.person != second.person:
                message = (f"både {first.person.name} och {second.person.name} tjänstgör för "
                           f"{first.replaces.name} vid punkt {number}.")
            elif first.person == second.person and first.replaces != second.replaces:
                message = (f"{first.person.name} tjänstgör för både {first.replaces.name} och "
                           f"{second.replaces.name} vid punkt {number}; en ersättare kan bara ersätta en ledamot "
                           "åt gången.")
            else:
                continue
            reported.add((first, second))
            found.problems.append(Problem(path, message, field="tjänstgörande ersättare", line=second.line))


def _item_numbers(meeting: Meeting) -> list[int]:
    """Every numbered item, points included: attendance must add up at each of them."""
    return [item.number for item in meeting.agenda if item.number is not None]


def decided_items(meeting: Meeting) -> list[AgendaItem]:
    """The items that get a decision and a §: every numbered item but the points."""
    return [item for item in meeting.agenda if item.number is not None and item.kind != POINT]


def _check_decision(meeting: Meeting, record: Record, decision: Decision, found: s.Collected) -> None:
    path = record.source
    _check_participants(meeting, record, decision, found)
    if decision.vote is not None:
        _check_vote(meeting, record, decision, found)
    found.problems.extend(votes.check_agreement(path, decision, meeting.committee.proposal_heading))
    _check_reservations(meeting, record, decision, found)
    if not has_proposal(decision.item):
        _check_without_proposal(record, decision, found)


PROPOSAL_MOTIONS = ("bifallsyrkande", "ändringsyrkande", "tilläggsyrkande", "avslag", "avslagsyrkande")


def has_proposal(item: AgendaItem) -> bool:
    """Whether there is a förslag till beslut to adopt, vote on or amend: the case's, or a standard item's."""
    if item.case is not None and item.case.proposal:
        return True
    return standard.recognise(item.title) is not None


def _check_without_proposal(record: Record, decision: Decision, found: s.Collected) -> None:
    """Without a förslag till beslut nothing can be moved for, against or in addition to it."""
    number = decision.item.number
    where = f"beslut.{number}"
    for motion in decision.motions:
        if motion.kind in PROPOSAL_MOTIONS:
            found.problems.append(Problem(
                record.source, f"punkt {number} ({decision.item.title}) har inget förslag till beslut, så "
                               f"{votes.motion_label(motion)} har inget att gälla. Skriv "
                               "'typ: yrkande' och yrkandets text.", field=where + ".yrkanden",
                line=decision.line_of("yrkanden")))
    sides = decision.vote.sides if decision.vote is not None else None
    if sides and any(side.kind == PROPOSAL for side in sides):
        found.problems.append(Problem(
            record.source, f"punkt {number} ({decision.item.title}) har inget förslag till beslut att rösta om. "
                           "Skriv under ja: och nej: de yrkanden som ställdes mot varandra.",
            field=where + ".omröstning", line=decision.line_of("omröstning")))


def _check_participants(meeting: Meeting, record: Record, decision: Decision, found: s.Collected) -> None:
    """Quorum at the item; jäv only by someone who would serve; yrkanden only by those who serve."""
    path, number = record.source, decision.item.number
    where = f"beslut.{number}"
    members = meeting.committee.members
    quorum = len(members) // 2 + 1
    serving = {p.name for p in record.serving(meeting, number)}
    if meeting.committee.quorum_applies and len(serving) < quorum:  # 'beslutförhet: nej': no quorum rule
        found.problems.append(Problem(
            path, f"{meeting.committee.body_noun} är inte beslutför vid punkt {number}: {len(serving)} tjänstgör "
                  f"men mer än hälften av de {len(members)} ledamöterna ({quorum}) måste delta enligt kommunallagen.",
            field=where, line=decision.line))
    would_serve = {p.name for p in record.serving(meeting, number, with_disqualified=True)}
    for person in decision.disqualified:
        if person.name not in would_serve:
            found.problems.append(Problem(path, f"{person.name} anmäler jäv men tjänstgör inte vid punkt "
                                                f"{number}.", field=where + ".jäv", line=decision.line_of("jäv")))
    for motion in decision.motions:
        if motion.person.name not in serving:
            found.problems.append(Problem(
                path, f"{motion.person.name} tjänstgör inte vid punkt {number} och kan inte yrka "
                      f"({record.why_not_serving(meeting, motion.person.name, number)}); bara den som deltar i "
                      "beslutet får lägga yrkanden.", field=where + ".yrkanden", line=decision.line_of("yrkanden")))


def _check_vote(meeting: Meeting, record: Record, decision: Decision, found: s.Collected) -> None:
    """Everyone serving votes once, nobody else does, and the result can be told."""
    path, vote, number = record.source, decision.vote, decision.item.number
    where = f"beslut.{number}"
    serving = {p.name for p in record.serving(meeting, number)}
    barred = {p.name for p in decision.disqualified}
    for name, choice in vote.votes.items():
        line = vote.line(f"röster.{choice}", decision.line_of("omröstning"))
        if name in barred:
            message = "har anmält jäv men finns med i omröstningen. Den som är jävig får inte delta i beslutet."
        elif name not in serving:
            message = (f"tjänstgör inte vid punkt {number} och får inte rösta "
                       f"({record.why_not_serving(meeting, name, number)}).")
        else:
            continue
        found.problems.append(Problem(path, f"{name} {message}", field=f"{where}.omröstning.röster.{choice}",
                                      line=line))
    missing = [p.name for p in record.serving(meeting, number) if p.name not in vote.votes]
    if missing:
        found.problems.append(Problem(path, f"i omröstningen saknas {', '.join(missing)}. Alla tjänstgörande ska "
                                            "stå under ja, nej eller avstår.", field=where + ".omröstning.röster",
                                      line=vote.line("röster", decision.line)))
    chair = votes.presiding(meeting.committee.members, serving)
    vote.outcome = votes.outcome(vote, chair)
    if vote.outcome.side is None:
        found.problems.append(votes.tie_problem(path, where, number, vote, vote.outcome, chair, decision.line))


def _check_reservations(meeting: Meeting, record: Record, decision: Decision, found: s.Collected) -> None:
    """Only someone who took part in the decision, and did not vote for it, reserves against it."""
    path, number = record.source, decision.item.number
    where = f"beslut.{number}"
    serving = {p.name for p in record.serving(meeting, number)}
    barred = {p.name for p in decision.disqualified}
    won = decision.vote.outcome.side if decision.vote is not None and decision.vote.outcome else None
    line = decision.line_of("reservationer")
    for reservation in decision.reservations:
        name = reservation.person.name
        if name in barred:
            message = "har anmält jäv och deltar inte i beslutet, och kan därför inte reservera sig."
        elif name not in serving:
            message = (f"tjänstgör inte vid punkt {number} och kan därför inte reservera sig; bara den som "
                       f"deltagit i beslutet kan det ({record.why_not_serving(meeting, name, number)}).")
        elif won is not None and decision.vote.votes.get(name) == won:
            message = "röstade för beslutet och kan inte reservera sig mot det."
        else:
            continue
        found.problems.append(Problem(path, f"{name} {message}", field=where + ".reservationer", line=line))


def _check_adjustment(meeting: Meeting, record: Record, found: s.Collected) -> None:
    _check_posting(record, found)
    _check_immediate(record, found)
    if record.adjustment_date is None:
        return
    days = (record.adjustment_date - meeting.date).days
    if days < 0:
        found.problems.append(Problem(record.source, "justeringen kan inte ske före sammanträdet.",
                                      field="justering.datum", line=record.adjustment_line))
    elif days > JUSTERING_DAYS:
        found.warnings.append(Problem(
            record.source, f"justeringen sker {days} dagar efter sammanträdet; enligt kommunallagen 5 kap. 69 § "
                           f"ska protokollet justeras senast {JUSTERING_DAYS} dagar efter sammanträdet.",
            field="justering.datum", line=record.adjustment_line))
    if not record.adjusters:
        found.problems.append(Problem(record.source, "minst en justerare ska anges.", field="justerare"))


def _check_posting(record: Record, found: s.Collected) -> None:
    """The notice of justering goes up on the anslagstavla within two days of the justering."""
    written = Notice(False, record.adjustment_date, record.posted)  # checked also before 'justerat: ja'
    problem = _posting_problem(written, "anslaget", "Kontrollera datumen under justering: och anslag:.")
    if problem:
        found.problems.append(Problem(record.source, problem, field="anslag.datum", line=record.posted_line))


def _check_immediate(record: Record, found: s.Collected) -> None:
    """The §§ justerade at the meeting have their own notice, posted by the same rule as the protokoll's."""
    immediate, posted = record.immediate, record.immediate_posted
    if posted is not None and not immediate:
        problem = (f"'{IMMEDIATE_POSTING}' är angivet, men ingen punkt har 'justeras omedelbart: ja'. Ta bort raden, "
                   "eller skriv 'justeras omedelbart: ja' under den punkt som justerades vid sammanträdet.")
    elif posted is None and immediate:
        _missing_immediate_posting(record, found)
        return
    else:
        problem = _posting_problem(record.immediate_notice, "anslaget om den omedelbara justeringen",
                                   f"Kontrollera datumet under {IMMEDIATE_POSTING}:.")
    if problem:
        found.problems.append(Problem(record.source, problem, field=IMMEDIATE_POSTING,
                                      line=record.immediate_posted_line))


def _missing_immediate_posting(record: Record, found: s.Collected) -> None:
    """An error once the protokoll is justerat (the notice is long up by then), a reminder before."""
    day = record.meeting_date
    latest = (f" (senast {dates.latest_posting_day(day).isoformat()} enligt kommunallagen 8 kap. 12 §)"
              if day is not None and dates.supported(day) else "")
    message = (f"{_items_text(record.immediate)} justerades omedelbart vid sammanträdet, men dagen då "
               "tillkännagivandet om den justeringen sattes upp på anslagstavlan saknas. Skriv den i protokoll.yaml: "
               f"'{IMMEDIATE_POSTING}: ÅÅÅÅ-MM-DD'{latest}. Överklagandetiden räknas från den dagen.")
    (found.problems if record.adjusted else found.warnings).append(
        Problem(record.source, message, field=IMMEDIATE_POSTING))


def _items_text(decisions: list[Decision]) -> str:
    """'punkt 4' or 'punkterna 4 och 7'."""
    numbers = [str(d.item.number) for d in decisions]
    if len(numbers) == 1:
        return f"punkt {numbers[0]}"
    return f"punkterna {', '.join(numbers[:-1])} och {numbers[-1]}"


def _posting_problem(notice: Notice, subject: str, advice: str) -> str | None:
    """Why the posting of ``notice`` breaks kommunallagen 8 kap. 12 §, or None. ``subject``: 'anslaget'."""
    posted, adjusted = notice.posted, notice.adjusted
    when = "justeringen vid sammanträdet" if notice.immediate else "justeringen"
    if posted is None:
        return None
    if not dates.supported(posted):
        return (f"året {posted.year} ligger utanför kalendern för helgdagar ({dates.FIRST_YEAR}–{dates.LAST_YEAR}); "
                "kontrollera datumet.")
    if adjusted is None:
        return None
    if posted < adjusted:
        return f"{subject} kan inte sättas upp före {when}."
    latest = dates.latest_posting_day(adjusted)
    if posted <= latest:
        return None
    return (f"{subject} sätts upp {posted.isoformat()}, {(posted - adjusted).days} dagar efter {when} "
            f"{adjusted.isoformat()}; enligt kommunallagen 8 kap. 12 § ska tillkännagivandet anslås senast andra dagen "
            f"efter justeringen (nästa vardag om den dagen är en lördag, söndag eller helgdag), här senast "
            f"{latest.isoformat()}. {advice}")
