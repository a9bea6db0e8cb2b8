"""The committee file (sources/namnder/KEY.yaml): who sits on the body and
how it writes, validated like every other source.

The roster (ledamöter, ersättare, undertecknare) is either written at top
level, valid for all dates, or in ``mandatperioder``, each with its own
``från``/``till``. Every person in a roster may carry ``från``/``till`` too,
for a change within a period. A meeting gets the roster of its own date, so
an old meeting is always rebuilt with the people who sat on the body then.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import schema as s
from .errors import Problem, display_path, quote
from .model import CHAIR, VICE_CHAIRS, Committee, Contact, Person, Signatory
from .names import nfc

log = logging.getLogger(__name__)

# -------------------------------------------------------------- fields

PERSON_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("parti", s.text, default=""),
    s.Field("e-post", s.email, default=""),
]
MEMBER_FIELDS = PERSON_FIELDS + [s.Field("uppdrag", s.one_of(CHAIR, *VICE_CHAIRS), default="")]
OTHER_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("titel", s.text, default=""),
    s.Field("e-post", s.email, default=""),
]
CONTACT_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("enhet", s.text, default=""),
    s.Field("titel", s.text, default=""),
    s.Field("telefon", s.text, default=""),
    s.Field("e-post", s.email, default=""),
]
SIGNATORY_FIELDS = [s.Field("namn", s.text, required=True), s.Field("titel", s.text, default="")]

# In a roster every entry may hold for part of the time only.
DATE_FIELDS = [s.Field("från", s.date_value), s.Field("till", s.date_value)]
ROSTER_LISTS = {  # field name -> fields of one entry
    "ledamöter": MEMBER_FIELDS + DATE_FIELDS,
    "ersättare": PERSON_FIELDS + DATE_FIELDS,
    "undertecknare": SIGNATORY_FIELDS + DATE_FIELDS,
}
PERIODS = "mandatperioder"
PERIOD_FIELDS = [
    s.Field("från", s.date_value, required=True),
    s.Field("till", s.date_value, required=True),
    s.Field("ledamöter", s.raw, required=True),
    s.Field("ersättare", s.raw, default=list),
    s.Field("undertecknare", s.raw, default=list),
]


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    answer = s.text(value).lower()
    if answer in ("ja", "sant"):
        return True
    if answer in ("nej", "falskt"):
        return False
    raise s.Invalid(f"'{quote(value)}' är varken ja eller nej. Skriv ja eller nej.")


def appeal_text(value: Any) -> str | None:
    """``överklagande``: nej -> "" (no appeal text), ja -> None (the standard text), else the text itself."""
    if isinstance(value, bool):
        return None if value else ""
    written = s.text(value)
    return {"nej": "", "ja": None}.get(written.lower(), written)


COMMITTEE_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("kortnamn", s.text, required=True),
    s.Field("organisation", s.text, required=True),
    s.Field("förslagsrubrik", s.text, default="Förslag till beslut"),
    s.Field("sekreterare", s.raw, required=True),
    s.Field("adressbok", s.raw, default=dict),
    s.Field("protokollet förvaras", s.text, default=""),
    s.Field("benämning", s.text, default="nämnden"),
    s.Field("beslutförhet", yes_no, default=True),
    s.Field("överklagande", appeal_text, default=None),
    s.Field("rubrik ledamöter", s.text, default="Ledamöter"),
    s.Field("rubrik ersättare", s.text, default="Ersättare"),
    s.Field(PERIODS, s.raw, default=None),
    *(s.Field(name, s.raw, default=None) for name in ROSTER_LISTS),  # the roster without mandatperioder
]


# -------------------------------------------------------------- the roster


@dataclass(frozen=True)
class WantedDate:
    """The date whose roster a meeting needs, and where the meeting says so (mote.yaml, ``datum``)."""

    date: dt.date
    file: Path
    line: int | None = None


@dataclass
class Entry:
    """One ledamot, ersättare or undertecknare as written, with the days it holds."""

    value: Person | Signatory
    start: dt.date | None
    end: dt.date | None
    field: str  # e.g. "mandatperioder[1].ledamöter[3]"
    line: int | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass
class Period:
    """A mandate period, or (``field`` "") the roster written at top level that holds for all time."""

    start: dt.date | None
    end: dt.date | None
    field: str  # "mandatperioder[2]", or "" at top level
    line: int | None
    lists: dict[str, list[Entry]] = field(default_factory=dict)  # "ledamöter" -> entries
    list_lines: dict[str, int | None] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """A top-level roster, or a period with both dates in order; else its problem is reported."""
        if not self.field:
            return True
        return self.start is not None and self.end is not None and self.start <= self.end

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def label(self) -> str:
        return span_text(self.start, self.end)

    def where(self, name: str) -> str:
        return f"{self.field}.{name}" if self.field else name

    def on(self, name: str, day: dt.date) -> list[Entry]:
        return [e for e in self.lists.get(name, []) if e.valid_on(day)]


def span_text(start: dt.date | None, end: dt.date | None) -> str:
    """``2019-01-01–2022-12-31``; an open end is left blank."""
    return f"{start.isoformat() if start else ''}–{end.isoformat() if end else ''}"


# -------------------------------------------------------------- loading


def load_committee(path: Path, found: s.Collected, wanted: WantedDate | None = None) -> Committee | None:
    """The committee with the roster of ``wanted``'s date (an empty roster when there is no date)."""
    data, reader, values = read_fields(path, COMMITTEE_FIELDS, found)
    if values is None:
        return None
    lines = getattr(data, "key_lines", {})

    def line_of(name: str) -> int | None:
        return next((v for k, v in lines.items() if s.norm_key(k) == s.norm_key(name)), None)

    secretary = reader.sub("sekreterare.").read(values["sekreterare"], CONTACT_FIELDS, line_of("sekreterare"))
    periods = _read_roster(path, values, line_of, found)
    chosen = _period_for(path, periods, wanted, found) if wanted is not None else None
    day = wanted.date if wanted is not None else None
    members, deputies, signatories = (_on(chosen, name, day) for name in ROSTER_LISTS)
    if chosen is not None:
        _check_chair(path, chosen, members, day, found)
    address_book = _read_address_book(path, values["adressbok"], line_of("adressbok"), found)
    if secretary is None:
        return None
    return Committee(
        key=nfc(path.stem),
        name=values["namn"],
        short_name=values["kortnamn"],
        organisation=values["organisation"],
        proposal_heading=values["förslagsrubrik"],
        secretary=contact_from(secretary),
        signatories=[e.value for e in signatories],
        members=[e.value for e in members],
        deputies=[e.value for e in deputies],
        source=path,
        address_book=address_book,
        minutes_kept_at=values["protokollet förvaras"],
        body_noun=values["benämning"],
        quorum_applies=values["beslutförhet"],
        appeal=values["överklagande"],
        member_heading=values["rubrik ledamöter"],
        deputy_heading=values["rubrik ersättare"],
        locations={e.value: (e.field, e.line) for e in members + deputies},
    )


def _on(period: Period | None, name: str, day: dt.date | None) -> list[Entry]:
    return period.on(name, day) if period is not None and day is not None else []


def _read_roster(path: Path, values: dict, line_of, found: s.Collected) -> list[Period]:
    """Every period of the file, checked; the top-level roster is one period without dates."""
    top = [name for name in ROSTER_LISTS if values[name] is not None]
    if values[PERIODS] is not None:
        for name in top:
            found.problems.append(Problem(
                path, f"'{name}' står både här på översta nivån och i '{PERIODS}'. När nämnden har mandatperioder "
                      f"står ledamöter, ersättare och undertecknare inne i varje mandatperiod: flytta '{name}' "
                      f"in i rätt period eller ta bort det här.", field=name, line=line_of(name)))
        periods = _read_periods(path, values[PERIODS], line_of(PERIODS), found)
        _check_periods_apart(path, [p for p in periods if p.usable], found)
        return periods
    if values["ledamöter"] is None:
        found.problems.append(Problem(
            path, f"nämndens ledamöter saknas. Skriv dem under '{PERIODS}:' (en post per mandatperiod med från, "
                  "till, ledamöter, ersättare och undertecknare), eller under 'ledamöter:' om de gäller för alla "
                  "sammanträden.", field="ledamöter"))
        return []
    period = Period(None, None, "", None)
    _read_lists(path, period, {name: values[name] for name in ROSTER_LISTS},
                {name: line_of(name) for name in ROSTER_LISTS}, found)
    return [period]


def _read_periods(path: Path, data: Any, line: int | None, found: s.Collected) -> list[Period]:
    if not isinstance(data, list):
        found.problems.append(Problem(
            path, "här ska det stå en lista med en post per mandatperiod, var och en som börjar med '- från:'.",
            field=PERIODS, line=line))
        return []
    periods = []
    for index, raw_period in enumerate(data, start=1):
        where = f"{PERIODS}[{index}]"
        values = _read_strictly(found, path, where + ".", raw_period, PERIOD_FIELDS, line)
        if values is None:
            continue
        key_lines = getattr(raw_period, "key_lines", {})
        period = Period(values["från"], values["till"], where, getattr(raw_period, "line", line))
        if period.start and period.end and period.start > period.end:
            found.problems.append(Problem(
                path, f"mandatperioden börjar {period.start} men slutar {period.end}, före sin början. Rätta "
                      "'från:' eller 'till:'.", field=where + ".till", line=_key_line(key_lines, "till", period.line)))
        _read_lists(path, period, {name: values[name] for name in ROSTER_LISTS},
                    {name: _key_line(key_lines, name, period.line) for name in ROSTER_LISTS}, found)
        periods.append(period)
    return periods


def _read_lists(path: Path, period: Period, lists: dict[str, Any], lines: dict[str, int | None],
                found: s.Collected) -> None:
    for name, data in lists.items():
        period.list_lines[name] = lines[name]
        period.lists[name] = _read_entries(path, period, name, data, lines[name], found)
    _check_entries_apart(path, period.lists["ledamöter"] + period.lists["ersättare"], "ledamöter/ersättare",
                         "en person kan bara ha en plats åt gången", found)
    _check_entries_apart(path, period.lists["undertecknare"], "undertecknare",
                         "en ny titel skrivs som en ny post med 'från:' och den gamla får 'till:'", found)


def _read_entries(path: Path, period: Period, name: str, data: Any, line: int | None,
                  found: s.Collected) -> list[Entry]:
    where = period.where(name)
    if data in (None, ""):
        return []
    if not isinstance(data, list):
        found.problems.append(Problem(path, "här ska det stå en lista där varje post börjar med '- '.",
                                      field=where, line=line))
        return []
    entries = []
    for index, raw_entry in enumerate(data, start=1):
        field_name = f"{where}[{index}]"
        row = _read_strictly(found, path, field_name + ".", raw_entry, ROSTER_LISTS[name], line)
        if row is None:
            continue
        entry_line = getattr(raw_entry, "line", line)
        value = Signatory(row["namn"], row["titel"]) if name == "undertecknare" else person_from(row)
        entry = Entry(value, row["från"], row["till"], field_name, entry_line)
        if _entry_dates_fit(path, period, entry, found):
            entries.append(entry)
    return entries


def _entry_dates_fit(path: Path, period: Period, entry: Entry, found: s.Collected) -> bool:
    """From before till, and both inside the mandate period."""
    if entry.start and entry.end and entry.start > entry.end:
        found.problems.append(Problem(
            path, f"{entry.value.name} börjar {entry.start} men slutar {entry.end}, före sin början. Rätta 'från:' "
                  "eller 'till:'.", field=entry.field + ".till", line=entry.line))
        return False
    outside = [(name, day) for name, day in (("från", entry.start), ("till", entry.end))
               if day is not None and not period.covers(day)]
    for name, day in outside:
        found.problems.append(Problem(
            path, f"{entry.value.name}: '{name}: {day}' ligger utanför mandatperioden {period.label()}. Datumen på "
                  "en person ska ligga inom perioden; den som sitter kvar en ny period skrivs in i den perioden.",
            field=f"{entry.field}.{name}", line=entry.line))
    return not outside


def _check_entries_apart(path: Path, entries: list[Entry], lists: str, rule: str, found: s.Collected) -> None:
    """The same name twice only with dates that do not overlap."""
    by_name: dict[str, list[Entry]] = {}
    for entry in entries:
        by_name.setdefault(entry.value.name, []).append(entry)
    for name, same in by_name.items():
        for first, second in _overlapping(same):
            found.problems.append(Problem(
                path, f"{name} står två gånger i {lists} ({first.field} och {second.field}) med tider som "
                      f"överlappar ({_entry_span(first)} och {_entry_span(second)}); {rule}. Ge posterna "
                      "'från:' och 'till:' som inte överlappar, eller ta bort den ena.",
                field=second.field, line=second.line))


def _entry_span(entry: Entry) -> str:
    return "hela perioden" if entry.start is None and entry.end is None else span_text(entry.start, entry.end)


def _check_periods_apart(path: Path, periods: list[Period], found: s.Collected) -> None:
    for first, second in _overlapping(periods):
        found.problems.append(Problem(
            path, f"mandatperioden {second.label()} överlappar mandatperioden {first.label()} "
                  f"({first.field}{f', rad {first.line}' if first.line else ''}). "
                  "Varje dag får höra till högst en mandatperiod: rätta 'från:' eller 'till:' så att perioderna "
                  "inte överlappar.", field=second.field, line=second.line))


def _overlapping(spans: Iterable[Entry | Period]) -> list[tuple[Any, Any]]:
    """Pairs (earlier, later) whose days overlap; sorted, so linear after the sort."""
    ordered = sorted(spans, key=lambda x: (x.start or dt.date.min, x.end or dt.date.max))
    pairs, latest = [], None
    for span in ordered:
        if latest is not None and (latest.end is None or span.start is None or span.start <= latest.end):
            pairs.append((latest, span))
        if latest is None or latest.end is not None and (span.end is None or span.end > latest.end):
            latest = span
    return pairs


def _period_for(path: Path, periods: list[Period], wanted: WantedDate, found: s.Collected) -> Period | None:
    """The period of the meeting's date. None when there is none (reported here), or when the periods
    overlap or one could not be read (reported where they are written: which one was meant is unknown)."""
    if not all(p.usable for p in periods):
        return None
    covering = [p for p in periods if p.covers(wanted.date)]
    if len(covering) == 1:
        return covering[0]
    if not covering and periods:
        listed = ", ".join(p.label() for p in sorted(periods, key=lambda p: p.start or dt.date.min))
        found.problems.append(Problem(
            wanted.file, f"{display_path(path)} har ingen mandatperiod som omfattar sammanträdets datum "
                         f"{wanted.date}. Mandatperioder i filen: {listed}. Kontrollera datumet, eller lägg till "
                         f"mandatperioden med dess ledamöter, ersättare och undertecknare under '{PERIODS}:' i "
                         f"{display_path(path)}.", field="datum", line=wanted.line))
    return None


def _check_chair(path: Path, period: Period, members: list[Entry], day: dt.date, found: s.Collected) -> None:
    chairs = [e.value.name for e in members if e.value.role == CHAIR]
    if len(chairs) == 1:
        return
    where = period.where("ledamöter")
    line = period.list_lines.get("ledamöter") or period.line
    if not members:
        message = (f"ingen ledamot sitter i nämnden {day} (sammanträdets datum). Kontrollera 'från:' och 'till:' "
                   "på ledamöterna.")
    else:
        now = f": {', '.join(chairs)}" if chairs else ""
        message = (f"exakt en ledamot ska ha 'uppdrag: ordförande' den {day} (sammanträdets datum), men "
                   f"{len(chairs)} har det{now}. Skriv 'uppdrag: ordförande' på en ledamot; byts ordförande under "
                   "perioden, ge de två posterna 'från:' och 'till:' som inte överlappar.")
    found.problems.append(Problem(path, message, field=where, line=line))


# -------------------------------------------------------------- readers


_UNKNOWN_IN_ROSTER = ("okänt fält. I mandatperioderna och förteckningarna över ledamöter, ersättare och "
                      "undertecknare är det ett fel, eftersom ett felstavat fält (till exempel 'till:') skulle "
                      "ändra vem som sitter i nämnden. Rätta stavningen eller ta bort fältet.")


def _read_strictly(found: s.Collected, path: Path, where: str, data: Any, fields: list[s.Field],
                   line: int | None) -> dict | None:
    """Read a mapping of the roster; an unknown field is an error here, not a warning."""
    unknown: list[Problem] = []
    values = s.Reader(path, found.problems, unknown, where).read(data, fields, line)
    for problem in unknown:
        hint = problem.message.partition("det används inte.")[2]
        found.problems.append(Problem(problem.file, _UNKNOWN_IN_ROSTER + hint, field=problem.field,
                                      line=problem.line))
    return values


def _key_line(key_lines: dict[str, int], name: str, default: int | None) -> int | None:
    return next((v for k, v in key_lines.items() if s.norm_key(k) == s.norm_key(name)), default)


def read_list(reader: s.Reader, data: Any, name: str, fields: list[s.Field], line: int | None) -> list[dict]:
    if data in (None, ""):
        return []
    if not isinstance(data, list):
        reader.problems.append(
            Problem(reader.path, "här ska det stå en lista där varje post börjar med '- '.", field=name, line=line)
        )
        return []
    rows = []
    for index, entry in enumerate(data, start=1):
        row = reader.sub(f"{name}[{index}].").read(entry, fields, line)
        if row is not None:
            rows.append(row)
    return rows


def person_from(row: dict) -> Person:
    return Person(
        name=row["namn"],
        party=row.get("parti", ""),
        email=row.get("e-post", ""),
        role=row.get("uppdrag", ""),
        title=row.get("titel", ""),
    )


def contact_from(row: dict) -> Contact:
    return Contact(
        name=row["namn"], unit=row["enhet"], title=row["titel"], phone=row["telefon"], email=row["e-post"]
    )


def _read_address_book(path: Path, data: Any, line: int | None, found: s.Collected) -> dict[str, list[str]]:
    """``adressbok``: each recipient named under "Expedieras till" -> e-mail addresses."""
    if not data:
        return {}
    if not isinstance(data, dict):
        found.problems.append(Problem(path, "adressboken ska ha en rad per mottagare: 'Namn: adress' eller en "
                                            "lista med adresser.", field="adressbok", line=line))
        return {}
    book: dict[str, list[str]] = {}
    key_lines = getattr(data, "key_lines", {})
    for name, value in data.items():
        addresses = value if isinstance(value, list) else [value]
        valid = []
        for address in addresses:
            try:
                valid.append(s.email(address))
            except s.Invalid as exc:
                found.problems.append(Problem(path, str(exc), field=f"adressbok.{name}",
                                              line=key_lines.get(str(name), line)))
        book[str(name).strip()] = valid
    return book


def read_fields(path: Path, fields: list[s.Field], found: s.Collected) -> tuple[Any, s.Reader, dict | None]:
    """A YAML file read against its fields: (raw data, reader, values or None)."""
    reader = found.reader(path)
    data = s.load_yaml_file(path, found.problems)
    values = reader.read(data, fields) if data is not None else None
    return data, reader, values
