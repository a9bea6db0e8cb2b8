"""What happened at the meeting: read and check ``protokoll.yaml``.

The secretary records attendance, justering and per agenda item the
decision and what led to it. This module turns that file into a typed
record and checks it against Kommunallagen's rules (quorum, votes by the
serving members only, jäv, reservations, tjänstgörande ersättare).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import schema as s
from ..errors import Problem, SourceError
from ..model import AgendaItem, Meeting, Person

log = logging.getLogger(__name__)

RECORD_FILE = "protokoll.yaml"
JUSTERING_DAYS = 14
ADOPTED = "bifall"  # the förslag till beslut is adopted as written
NOTED = "noteras"  # an information item
MOTION_KINDS = ("yrkande", "bifallsyrkande", "ändringsyrkande", "tilläggsyrkande", "avslag", "avslagsyrkande",
                "återremiss", "bordläggning")
VOTE_CHOICES = ("ja", "nej", "avstår")


@dataclass(frozen=True)
class Substitute:
    person: Person  # the ersättare
    replaces: Person  # the ledamot
    first: int | None = None  # agenda item numbers, inclusive
    last: int | None = None

    def serves_at(self, number: int) -> bool:
        return (self.first is None or number >= self.first) and (self.last is None or number <= self.last)


@dataclass(frozen=True)
class Partial:
    """A ledamot who arrives late or leaves early."""

    person: Person
    first: int | None = None
    last: int | None = None

    def present_at(self, number: int) -> bool:
        return (self.first is None or number >= self.first) and (self.last is None or number <= self.last)


@dataclass(frozen=True)
class Motion:
    person: Person
    kind: str
    text: str


@dataclass
class Vote:
    yes_means: str
    no_means: str
    votes: dict[str, str]  # name -> ja | nej | avstår

    def count(self, choice: str) -> int:
        return sum(1 for v in self.votes.values() if v == choice)


@dataclass(frozen=True)
class Reservation:
    person: Person
    text: str = ""
    written: Path | None = None  # written reservation, an appendix


@dataclass(frozen=True)
class Note:
    person: Person | None
    text: str


@dataclass
class Decision:
    item: AgendaItem
    paragraph: int = 0  # § number, set by numbering
    decision: str = ""  # Markdown, resolved (never the word "bifall")
    adopted_as_proposed: bool = False
    information: str = ""  # Markdown for a standard item's own text
    motions: list[Motion] = field(default_factory=list)
    proposition_order: str = ""
    vote: Vote | None = None
    reservations: list[Reservation] = field(default_factory=list)
    disqualified: list[Person] = field(default_factory=list)  # jäv
    notes: list[Note] = field(default_factory=list)
    dispatch: list[str] = field(default_factory=list)
    immediate: bool = False  # justeras omedelbart
    line: int | None = None  # where the decision starts in protokoll.yaml


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

    @property
    def take_down(self) -> dt.date | None:
        """The day the notice may come down: after three weeks of appeal time."""
        return self.posted + dt.timedelta(days=22) if self.posted else None

    @property
    def last_appeal_day(self) -> dt.date | None:
        return self.posted + dt.timedelta(days=21) if self.posted else None


# ------------------------------------------------------------------ fields

NAMED_RANGE_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("ersätter", s.text),
    s.Field("från", s.raw, aliases=("från punkt", "ankommer till punkt")),
    s.Field("till", s.raw, aliases=("till punkt", "till och med punkt", "lämnar efter punkt")),
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

STANDARD_DECISIONS = {
    "faststallandeavforedragningslista": "Föredragningslistan fastställs.",
    "faststallandeavdagordning": "Dagordningen fastställs.",
}


def _norm_title(title: str) -> str:
    return s.norm_key(title).replace("_", "")


# ------------------------------------------------------------------- load


def record_path(meeting: Meeting) -> Path:
    return meeting.folder / RECORD_FILE


def load_record(meeting: Meeting) -> Record:
    """Read and check the record; raise SourceError with every problem."""
    path = record_path(meeting)
    found = s.Collected()
    if not path.is_file():
        raise SourceError([Problem(path, "filen saknas. Skapa den efter sammanträdet med närvaro, justerare och "
                                         "besluten (se README, avsnittet Protokollet).")])
    record = _Loader(meeting, path, found).load()
    if record is not None:
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
        absent = [self.person(n, "frånvarande", members_only=True) for n in self.names(values["frånvarande"],
                                                                                       "frånvarande")]
        substitutes = self.substitutes(values["tjänstgörande ersättare"])
        partial = self.partial(values["delvis närvarande"])
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
        if value in (None, "", []):
            return []
        if not isinstance(value, list):
            self.problem("här ska det stå en lista där varje post börjar med '- '.", name, self.line(name))
            return []
        rows = []
        for index, entry in enumerate(value, start=1):
            if isinstance(entry, str):
                entry = {"namn": entry}
            row = self.found.reader(self.path, f"{name}[{index}].").read(entry, fields, self.line(name))
            if row is not None:
                rows.append(row)
        return rows

    def person(self, name: str, field: str, *, members_only: bool = False,
               deputies_only: bool = False) -> Person | None:
        person = self.people.get(name)
        if person is None:
            import difflib

            close = difflib.get_close_matches(name, list(self.people), n=1, cutoff=0.6)
            hint = f" Menade du '{close[0]}'?" if close else ""
            self.problem(f"'{name}' finns inte bland ledamöterna och ersättarna i "
                         f"{self.meeting.committee.source.name}.{hint}", field, self.line(field.split("[")[0]))
            return None
        if members_only and name not in self.members:
            self.problem(f"{name} är ersättare, inte ledamot.", field, self.line(field.split("[")[0]))
            return None
        if deputies_only and name not in self.deputies:
            self.problem(f"{name} är ledamot, inte ersättare.", field, self.line(field.split("[")[0]))
            return None
        return person

    def item_number(self, value: Any, field: str) -> int | None:
        if value is None:
            return None
        text = str(value).strip().lstrip("punkt").strip()
        if not text.isdigit() or int(text) not in self.numbers:
            self.problem(f"'{value}' är inget punktnummer i föredragningslistan "
                         f"({min(self.numbers)}–{max(self.numbers)}).", field, self.line(field.split("[")[0]))
            return None
        return int(text)

    def substitutes(self, value: Any) -> list[Substitute]:
        result = []
        for index, row in enumerate(self.rows(value, "tjänstgörande ersättare", NAMED_RANGE_FIELDS), start=1):
            field = f"tjänstgörande ersättare[{index}]"
            person = self.person(row["namn"], field, deputies_only=True)
            if not row.get("ersätter"):
                self.problem("ange vilken ledamot ersättaren tjänstgör för (ersätter: Namn).", field,
                             self.line("tjänstgörande ersättare"))
                continue
            replaces = self.person(row["ersätter"], field + ".ersätter", members_only=True)
            first = self.item_number(row.get("från"), field + ".från")
            last = self.item_number(row.get("till"), field + ".till")
            if person and replaces:
                result.append(Substitute(person, replaces, first, last))
        return result

    def partial(self, value: Any) -> list[Partial]:
        result = []
        for index, row in enumerate(self.rows(value, "delvis närvarande", NAMED_RANGE_FIELDS), start=1):
            field = f"delvis närvarande[{index}]"
            person = self.person(row["namn"], field, members_only=True)
            first = self.item_number(row.get("från"), field + ".från")
            last = self.item_number(row.get("till"), field + ".till")
            if person:
                result.append(Partial(person, first, last))
        return result

    # -- decisions

    def decisions(self, value: Any, record: Record) -> list[Decision]:
        line = self.line("beslut")
        if not isinstance(value, dict):
            self.problem("besluten ska stå per punktnummer, till exempel '3: bifall'.", "beslut", line)
            return []
        by_number: dict[int, Any] = {}
        key_lines = getattr(value, "key_lines", {})
        for key, entry in value.items():
            number = self.item_number(key, f"beslut.{key}")
            if number is not None:
                by_number[number] = (entry, key_lines.get(str(key), line))
        decisions = []
        for item in self.meeting.agenda:
            if item.number is None:
                continue
            if item.number not in by_number:
                self.problem(f"beslut saknas för punkt {item.number} ({item.title}). Skriv '{item.number}: bifall' "
                             "om förslaget till beslut antogs, annars beslutets text.", "beslut", line)
                continue
            entry, entry_line = by_number[item.number]
            decision = self.decision(item, entry, entry_line, record)
            if decision is not None:
                decisions.append(decision)
        return decisions

    def decision(self, item: AgendaItem, entry: Any, line: int | None, record: Record) -> Decision | None:
        where = f"beslut.{item.number}"
        if not isinstance(entry, dict):
            entry = {"beslut": entry}
        values = self.found.reader(self.path, where + ".").read(entry, DECISION_FIELDS, line)
        if values is None:
            return None
        self._line = line
        decision = Decision(item=item, information=values["text"], line=line)
        decision.decision, decision.adopted_as_proposed = self.decision_text(item, values["beslut"], record,
                                                                            where, line)
        for index, row in enumerate(self.rows(values["yrkanden"], where + ".yrkanden", MOTION_FIELDS), start=1):
            person = self.person(row["namn"], f"{where}.yrkanden[{index}]")
            if person:
                decision.motions.append(Motion(person, row["typ"], row["text"]))
        decision.proposition_order = values["propositionsordning"]
        if values["omröstning"] is not None:
            decision.vote = self.vote(values["omröstning"], where + ".omröstning", line)
        for index, row in enumerate(self.rows(values["reservationer"], where + ".reservationer",
                                              RESERVATION_FIELDS), start=1):
            person = self.person(row["namn"], f"{where}.reservationer[{index}]")
            written = None
            if row["skriftlig"]:
                written = (self.meeting.folder / row["skriftlig"]).resolve()
                if not written.is_relative_to(self.meeting.folder.resolve()) or not written.is_file():
                    self.problem(f"den skriftliga reservationen '{row['skriftlig']}' finns inte i "
                                 f"{self.meeting.folder}.", f"{where}.reservationer[{index}].skriftlig", line)
                    written = None
            if person:
                decision.reservations.append(Reservation(person, row["text"], written))
        decision.disqualified = [p for p in (self.person(n, f"{where}.jäv")
                                             for n in self.names(values["jäv"], "jäv")) if p]
        for index, row in enumerate(self.rows(values["protokollsanteckningar"], where + ".protokollsanteckningar",
                                              NOTE_FIELDS), start=1):
            person = self.person(row["namn"], f"{where}.protokollsanteckningar[{index}]") if row["namn"] else None
            decision.notes.append(Note(person, row["text"]))
        if values["expedieras till"] is not None:
            decision.dispatch = values["expedieras till"]
        elif item.case is not None:
            decision.dispatch = list(item.case.dispatch)
        decision.immediate = self.flag(values["justeras omedelbart"], f"{where}.justeras omedelbart")
        return decision

    def decision_text(self, item: AgendaItem, text: str, record: Record, where: str,
                      line: int | None) -> tuple[str, bool]:
        word = text.strip().lower().rstrip(".")
        if word == ADOPTED:
            if item.case is not None:
                return item.case.proposal, True
            standard = STANDARD_DECISIONS.get(_norm_title(item.title))
            if standard:
                return standard, False
            if "justerare" in item.title.lower():
                return self.adjusters_decision(record), False
            self.problem(f"punkt {item.number} ({item.title}) har inget förslag till beslut att bifalla. "
                         "Skriv beslutets text.", where, line)
            return "", False
        if word == NOTED:
            return "Informationen noteras.", False
        return text, False

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
        ballots = values["röster"]
        if not isinstance(ballots, dict):
            self.problem("rösterna skrivs som listor under ja:, nej: och avstår:.", where + ".röster", line)
            return None
        votes: dict[str, str] = {}
        for choice, names in ballots.items():
            key = s.norm_key(choice)
            canonical = {"ja": "ja", "nej": "nej", "avstar": "avstår"}.get(key)
            if canonical is None:
                self.problem(f"'{choice}' är inget röstalternativ; använd ja, nej eller avstår.", where + ".röster",
                             line)
                continue
            for name in self.names(names, f"{where}.röster.{choice}"):
                if name in votes:
                    self.problem(f"{name} är räknad två gånger i omröstningen ({votes[name]} och {canonical}).",
                                 where + ".röster", line)
                    continue
                if self.person(name, f"{where}.röster.{canonical}"):
                    votes[name] = canonical
        return Vote(values["ja"], values["nej"], votes)


# ------------------------------------------------------------------ checks


def check_record(meeting: Meeting, record: Record, found: s.Collected) -> None:
    """Kommunallagen's rules, each a problem naming the file and the item."""
    path = record.source
    members = meeting.committee.members
    quorum = len(members) // 2 + 1
    for substitute in record.substitutes:
        for item in meeting.agenda:
            if item.number is None or not substitute.serves_at(item.number):
                continue
            serving = {p.name for p in record.serving(meeting, item.number)}
            if substitute.replaces.name in serving:
                found.problems.append(Problem(
                    path, f"{substitute.person.name} tjänstgör för {substitute.replaces.name} vid punkt "
                          f"{item.number}, men {substitute.replaces.name} är själv närvarande och tjänstgör då. "
                          f"Ange {substitute.replaces.name} som frånvarande eller delvis närvarande, eller ange "
                          "från/till för ersättaren.", field="tjänstgörande ersättare"))
                break
    replaced: dict[tuple[str, int], str] = {}
    serving_for: dict[tuple[str, int], str] = {}
    for decision in record.decisions:
        number = decision.item.number
        where = f"beslut.{number}"
        serving = record.serving(meeting, number)
        serving_names = {p.name for p in serving}
        for substitute in record.substitutes:
            if substitute.serves_at(number):
                key = (substitute.replaces.name, number)
                if key in replaced and replaced[key] != substitute.person.name:
                    found.problems.append(Problem(
                        path, f"både {replaced[key]} och {substitute.person.name} tjänstgör för "
                              f"{substitute.replaces.name} vid punkt {number}.", field="tjänstgörande ersättare"))
                replaced[key] = substitute.person.name
                own = (substitute.person.name, number)
                if own in serving_for and serving_for[own] != substitute.replaces.name:
                    found.problems.append(Problem(
                        path, f"{substitute.person.name} tjänstgör för både {serving_for[own]} och "
                              f"{substitute.replaces.name} vid punkt {number}; en ersättare kan bara ersätta en "
                              "ledamot åt gången.", field="tjänstgörande ersättare"))
                serving_for[own] = substitute.replaces.name
        if len(serving) < quorum:
            found.problems.append(Problem(
                path, f"nämnden är inte beslutför vid punkt {number}: {len(serving)} tjänstgör men mer än hälften "
                      f"av de {len(members)} ledamöterna ({quorum}) måste delta (kommunallagen 6 kap. 35 §).",
                field=where, line=decision.line))
        barred = {p.name for p in decision.disqualified}
        would_serve = {p.name for p in record.serving(meeting, number, with_disqualified=True)}
        for person in decision.disqualified:
            if person.name not in would_serve:
                found.problems.append(Problem(path, f"{person.name} anmäler jäv men tjänstgör inte vid punkt "
                                                    f"{number}.", field=where + ".jäv", line=decision.line))
        if decision.vote is not None:
            _check_vote(path, where, decision, serving_names, barred, found)
        for reservation in decision.reservations:
            name = reservation.person.name
            if name in barred:
                found.problems.append(Problem(path, f"{name} har anmält jäv och deltar inte i beslutet, och kan "
                                                    "därför inte reservera sig.", field=where + ".reservationer", line=decision.line))
            elif name not in serving_names:
                found.problems.append(Problem(path, f"{name} tjänstgör inte vid punkt {number} och kan därför inte "
                                                    "reservera sig; bara den som deltagit i beslutet kan det.",
                                              field=where + ".reservationer", line=decision.line))
            elif decision.vote is not None and decision.vote.votes.get(name) == winning_side(decision.vote,
                                                                                             _chair(meeting)):
                found.problems.append(Problem(path, f"{name} röstade för beslutet och kan inte reservera sig "
                                                    "mot det.", field=where + ".reservationer", line=decision.line))
    _check_adjustment(meeting, record, found)


def _check_vote(path: Path, where: str, decision: Decision, serving: set[str], barred: set[str],
                found: s.Collected) -> None:
    votes = decision.vote.votes
    for name in votes:
        if name in barred:
            found.problems.append(Problem(path, f"{name} har anmält jäv men finns med i omröstningen. Den som är "
                                                "jävig får inte delta i beslutet.", field=where + ".omröstning", line=decision.line))
        elif name not in serving:
            found.problems.append(Problem(path, f"{name} tjänstgör inte vid punkt {decision.item.number} och får "
                                                "inte rösta.", field=where + ".omröstning", line=decision.line))
    missing = sorted(serving - set(votes))
    if missing:
        found.problems.append(Problem(path, f"i omröstningen saknas {', '.join(missing)}. Alla tjänstgörande ska "
                                            "stå under ja, nej eller avstår.", field=where + ".omröstning", line=decision.line))


def _chair(meeting: Meeting) -> str:
    chair = meeting.committee.chair
    return chair.name if chair else ""


def winning_side(vote: Vote, chair: str) -> str:
    """ja or nej; at a tie the chair's vote decides (kommunallagen 6 kap. 39 §)."""
    yes, no = vote.count("ja"), vote.count("nej")
    if yes != no:
        return "ja" if yes > no else "nej"
    return vote.votes.get(chair, "ja") if vote.votes.get(chair) in ("ja", "nej") else "ja"


def _check_adjustment(meeting: Meeting, record: Record, found: s.Collected) -> None:
    if record.adjustment_date is None:
        return
    days = (record.adjustment_date - meeting.date).days
    if days < 0:
        found.problems.append(Problem(record.source, "justeringen kan inte ske före sammanträdet.",
                                      field="justering.datum"))
    elif days > JUSTERING_DAYS:
        found.warnings.append(Problem(
            record.source, f"justeringen sker {days} dagar efter sammanträdet; enligt kommunallagen (8 kap. 12 §) "
                           f"ska protokollet justeras senast inom {JUSTERING_DAYS} dagar.", field="justering.datum"))
    if record.posted is not None and record.posted < record.adjustment_date:
        found.problems.append(Problem(record.source, "anslaget kan inte sättas upp före justeringen.",
                                      field="anslag.datum"))
    if not record.adjusters:
        found.problems.append(Problem(record.source, "minst en justerare ska anges.", field="justerare"))
