"""The committee file (sources/namnder/KEY.yaml): who sits on the body and
how it writes, validated like every other source."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from . import schema as s
from .errors import Problem
from .model import CHAIR, VICE_CHAIRS, Committee, Contact, Person, Signatory
from .names import nfc

log = logging.getLogger(__name__)

# -------------------------------------------------------------- committee

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
COMMITTEE_FIELDS = [
    s.Field("namn", s.text, required=True),
    s.Field("kortnamn", s.text, required=True),
    s.Field("organisation", s.text, required=True),
    s.Field("förslagsrubrik", s.text, default="Förslag till beslut"),
    s.Field("sekreterare", s.raw, required=True),
    s.Field("undertecknare", s.raw, default=list),
    s.Field("ledamöter", s.raw, required=True),
    s.Field("ersättare", s.raw, default=list),
    s.Field("adressbok", s.raw, default=dict),
    s.Field("protokollet förvaras", s.text, default=""),
]


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


def load_committee(path: Path, found: s.Collected) -> Committee | None:
    data, reader, values = read_fields(path, COMMITTEE_FIELDS, found)
    if values is None:
        return None
    lines = getattr(data, "key_lines", {})

    def line_of(name: str) -> int | None:
        return next((v for k, v in lines.items() if s.norm_key(k) == s.norm_key(name)), None)

    secretary = reader.sub("sekreterare.").read(values["sekreterare"], CONTACT_FIELDS, line_of("sekreterare"))
    signatories = read_list(reader, values["undertecknare"], "undertecknare", SIGNATORY_FIELDS,
                             line_of("undertecknare"))
    members = [person_from(r) for r in read_list(reader, values["ledamöter"], "ledamöter", MEMBER_FIELDS,
                                              line_of("ledamöter"))]
    deputies = [person_from(r) for r in read_list(reader, values["ersättare"], "ersättare", PERSON_FIELDS,
                                               line_of("ersättare"))]
    chairs = [m for m in members if m.role == CHAIR]
    if members and len(chairs) != 1:
        found.problems.append(
            Problem(path, f"exakt en ledamot ska ha 'uppdrag: ordförande' (nu {len(chairs)}).", field="ledamöter")
        )
    _check_unique_names(path, members + deputies, found)
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
        signatories=[Signatory(r["namn"], r["titel"]) for r in signatories],
        members=members,
        deputies=deputies,
        source=path,
        address_book=address_book,
        minutes_kept_at=values["protokollet förvaras"],
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


def _check_unique_names(path: Path, people: list[Person], found: s.Collected) -> None:
    seen: set[str] = set()
    for person in people:
        if person.name in seen:
            found.problems.append(
                Problem(path, f"{person.name} står två gånger i ledamöter/ersättare; en person kan bara ha en plats.")
            )
        seen.add(person.name)


def read_fields(path: Path, fields: list[s.Field], found: s.Collected) -> tuple[Any, s.Reader, dict | None]:
    """A YAML file read against its fields: (raw data, reader, values or None)."""
    reader = found.reader(path)
    data = s.load_yaml_file(path, found.problems)
    values = reader.read(data, fields) if data is not None else None
    return data, reader, values
