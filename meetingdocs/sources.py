"""Load and validate the secretary's sources into the model.

Everything is read and checked before anything is rendered; every problem
found is reported at once, each with its file and field or line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from . import limits
from . import schema as s
from .errors import BadArgsError, Problem, SourceError, display_path, quote
from .markdown_check import report_markdown
from .meetings import COMMITTEES_DIR, MEETING_FILE, MEETING_ID, find_meeting, list_meetings  # noqa: F401
from .names import entries_by_nfc, locate, name_problem, nfc, suggestion
from .committee import (
    CONTACT_FIELDS,
    OTHER_FIELDS,
    SIGNATORY_FIELDS,
    contact_from,
    person_from,
    read_fields,
    read_list,
    WantedDate,
    load_committee,
)
from .model import (
    AgendaItem,
    Attachment,
    Case,
    Committee,
    Contact,
    Meeting,
    Section,
    Signatory,
)

log = logging.getLogger(__name__)

CASE_FILES = ("tjansteskrivelse.md", "tjänsteskrivelse.md")
ITEM_FILES = ("arende.md", "ärende.md")  # an item without tjänsteskrivelse, in a folder with its bilagor
DESCRIPTION = "Ärendebeskrivning"
PROPOSAL = "Förslag till beslut"
BASIS = "Beslutsunderlag"
CONVERTED_KINDS = {".docx": "docx", ".odt": "docx"}
ATTACHMENT_KINDS = {".pdf": "pdf", ".md": "md", **CONVERTED_KINDS}


# ---------------------------------------------------------------- meeting

MEETING_FIELDS = [
    s.Field("nämnd", s.text, required=True),
    s.Field("datum", s.date_value, required=True),
    s.Field("tid", s.time_text, required=True),
    s.Field("plats", s.text, required=True),
    s.Field("övriga", s.raw, default=list),
    s.Field("extra mottagare", s.raw, default=list),
    s.Field("föredragningslista", s.raw, required=True),
]
ITEM_FIELDS = [
    s.Field("ärende", s.text),
    s.Field("rubrik", s.text),
    s.Field("punkt", s.text),
    s.Field("paus", s.raw),
    s.Field("föredragande", s.text, default=""),
    s.Field("tid", s.time_text, default=""),
    s.Field("nr", s.raw),
]
ITEM_KINDS = ("ärende", "rubrik", "punkt", "paus")


@dataclass
class _Entry:
    index: int  # 1-based position in föredragningslista
    line: int | None
    values: dict


def load_meeting(folder: Path) -> tuple[Meeting, list[Problem]]:
    """Load and validate a meeting; raise SourceError listing every problem.

    Returns the meeting and the warnings (unknown fields and the like).
    """
    found = s.Collected()
    meeting = _load_meeting(folder, found)
    for warning in found.warnings[: limits.MAX_LISTED_WARNINGS]:
        log.warning("%s", warning)
    if len(found.warnings) > limits.MAX_LISTED_WARNINGS:
        log.warning("… och %d varningar till.", len(found.warnings) - limits.MAX_LISTED_WARNINGS)
    if found.problems or meeting is None:
        raise SourceError(found.problems or [Problem(folder / MEETING_FILE, "sammanträdet kunde inte läsas.")])
    return meeting, found.warnings


def _load_meeting(folder: Path, found: s.Collected) -> Meeting | None:
    path = folder / MEETING_FILE
    data, reader, values = read_fields(path, MEETING_FIELDS, found)
    if values is None:
        return None
    committee = _committee_for(folder, path, values["nämnd"], _wanted_date(path, data, values), found)
    others = [person_from(r) for r in read_list(reader, values["övriga"], "övriga", OTHER_FIELDS, data.line)]
    extra = [person_from(r) for r in read_list(reader, values["extra mottagare"], "extra mottagare",
                                            OTHER_FIELDS, data.line)]
    if values["datum"] and not folder.name.startswith(values["datum"].isoformat()):
        found.problems.append(
            Problem(path, f"datumet {values['datum']} stämmer inte med mappens namn {folder.name}. "
                          "Rätta datumet eller byt namn på mappen.", field="datum")
        )
    referenced: dict[str, int] = {}
    agenda = _load_agenda(folder, path, values["föredragningslista"], committee, found, data, referenced)
    if agenda is None:
        return None
    _warn_unreferenced(folder, referenced, found)
    if committee is None:
        return None
    return Meeting(
        id=folder.name,
        folder=folder,
        date=values["datum"],
        time=values["tid"],
        place=values["plats"],
        others=others,
        extra_recipients=extra,
        committee=committee,
        agenda=agenda,
    )


def _wanted_date(meeting_file: Path, data: Any, values: dict) -> WantedDate | None:
    """The meeting's date, whose roster the meeting gets; None when it is missing or invalid."""
    if not isinstance(values["datum"], dt.date):
        return None
    return WantedDate(values["datum"], meeting_file, _key_line(getattr(data, "key_lines", {}), "datum"))


def _committee_for(folder: Path, meeting_file: Path, key: str | None, wanted: WantedDate | None,
                   found: s.Collected) -> Committee | None:
    if not key:
        return None
    committees = folder.parent / COMMITTEES_DIR
    if unusable := name_problem(f"{key}.yaml"):
        found.problems.append(Problem(meeting_file, f"nämndens namn '{quote(key)}' {unusable}.", field="nämnd"))
        return None
    path = locate(committees, f"{key}.yaml")
    if not path.is_file():
        known = sorted(nfc(p.stem) for p in committees.glob("*.yaml"))
        found.problems.append(
            Problem(meeting_file, f"nämnden '{quote(key)}' finns inte: filen {committees / quote(key)}.yaml "
                                  f"saknas.{suggestion(key, known)} Nämnder som finns: {', '.join(known) or 'inga'}.",
                    field="nämnd")
        )
        return None
    return load_committee(path, found, wanted)


def _load_agenda(folder: Path, path: Path, data: Any, committee: Committee | None, found: s.Collected,
                 meeting_data: Any, referenced: dict[str, int]) -> list[AgendaItem] | None:
    """The agenda items; None (with a problem) when the list itself is unusable.

    ``referenced`` gets every ärende the list names (key -> position), also
    those whose file cannot be loaded.
    """
    line = getattr(meeting_data, "key_lines", {}).get("föredragningslista")
    if not _usable_agenda(path, data, line, found):
        return None
    numbering = _Numbering(path, found)
    items: list[AgendaItem] = []
    for index, raw_entry in enumerate(data, start=1):
        entry = _agenda_entry(path, index, raw_entry, line, found)
        item = None if entry is None else _agenda_item(folder, path, entry, numbering, committee, found, referenced)
        if item is not None:
            items.append(item)
    return items


def _usable_agenda(path: Path, data: Any, line: int | None, found: s.Collected) -> bool:
    if not isinstance(data, list) or not data:
        found.problems.append(
            Problem(path, "föredragningslistan ska vara en lista med en punkt per rad som börjar med '- '.",
                    field="föredragningslista", line=line)
        )
        return False
    if len(data) > limits.MAX_AGENDA_ITEMS:
        found.problems.append(
            Problem(path, f"föredragningslistan har {len(data)} punkter; högst {limits.MAX_AGENDA_ITEMS} går att "
                          "ta med i en kallelse. Kontrollera att listan inte har klistrats in flera gånger, "
                          "eller dela upp sammanträdet.", field="föredragningslista", line=line)
        )
        return False
    return True


def _where(entry: _Entry) -> str:
    return f"föredragningslista, punkt {entry.index}"


@dataclass
class _Numbering:
    """Item numbers in list order; ``nr:`` sets one, and the items after it follow on."""

    path: Path
    found: s.Collected
    next: int = 1
    used: dict[int, int] = field(default_factory=dict)  # number -> position in the list

    def take(self, entry: _Entry) -> int:
        number = self.next
        wanted = entry.values.get("nr")
        if wanted is not None:
            if not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 1:
                self.found.problems.append(Problem(self.path, "nr ska vara ett heltal från 1.", field=_where(entry),
                                                   line=entry.line))
            else:
                number = wanted
        if number in self.used:
            self.found.problems.append(
                Problem(self.path, f"punktnummer {number} används redan av punkt {self.used[number]} i listan. "
                                   "Ta bort 'nr:' eller ge punkterna olika nummer.", field=_where(entry),
                        line=entry.line)
            )
        self.used[number] = entry.index
        self.next = number + 1
        return number


def _agenda_item(folder: Path, path: Path, entry: _Entry, numbering: _Numbering, committee: Committee | None,
                 found: s.Collected, referenced: dict[str, int]) -> AgendaItem | None:
    values = entry.values
    if values.get("paus") is not None:
        return _pause(values)
    number = numbering.take(entry)
    if values.get("punkt"):
        return AgendaItem(number, values["punkt"], "point", values["föredragande"], values["tid"])
    if not values.get("ärende"):
        return AgendaItem(number, values["rubrik"], "standard", values["föredragande"], values["tid"])
    case = _case_of(folder, path, entry, committee, found, referenced)
    if case is None:
        return None
    return AgendaItem(number, case.title, "case", values["föredragande"] or case.presenter,
                      values["tid"] or case.time, case)


def _pause(values: dict) -> AgendaItem:
    pause = values["paus"]
    when = s.time_text(pause) if not isinstance(pause, bool) and _is_time(pause) else ""
    return AgendaItem(None, "Paus", "break", time=when or values["tid"])


def _case_of(folder: Path, path: Path, entry: _Entry, committee: Committee | None, found: s.Collected,
             referenced: dict[str, int]) -> Case | None:
    key = _case_key(entry.values["ärende"])
    if key in referenced:
        found.problems.append(
            Problem(path, f"ärendet '{quote(key)}' står redan som punkt {referenced[key]}; ett ärende kan "
                          "bara stå en gång i föredragningslistan.", field=_where(entry), line=entry.line)
        )
        return None
    referenced[key] = entry.index
    return _load_case_ref(folder, path, key, _where(entry), entry.line, committee, found)


def _case_key(written: str) -> str:
    """``revisionsrapport/`` or ``budget-2021.md`` as written -> the key (file stem or folder name)."""
    return nfc(written).removesuffix(".md").rstrip("/")


def _is_time(value: Any) -> bool:
    try:
        s.time_text(value)
        return True
    except s.Invalid:
        return False


def _agenda_entry(path: Path, index: int, raw_entry: Any, line: int | None, found: s.Collected) -> _Entry | None:
    where = f"föredragningslista, punkt {index}"
    if isinstance(raw_entry, str):
        return _Entry(index, line, {"rubrik": raw_entry.strip(), "föredragande": "", "tid": ""})
    entry_line = getattr(raw_entry, "line", line)
    if _text_read_as_field(raw_entry):
        found.problems.append(_colon_problem(path, where, raw_entry, entry_line))
        return None
    values = found.reader(path, f"{where}: ").read(raw_entry, ITEM_FIELDS, line)
    if values is None:
        return None
    kinds = [k for k in ITEM_KINDS if values.get(k) is not None]
    if len(kinds) != 1:
        found.problems.append(
            Problem(path, "varje punkt ska ha precis ett av 'ärende:', 'rubrik:', 'punkt:' eller 'paus:' "
                          "(eller bara en rad text).", field=where, line=entry_line)
        )
        return None
    return _Entry(index, entry_line, values)


def _text_read_as_field(raw_entry: Any) -> bool:
    """A line like ``- Val av justerare: tid för justering``, which YAML reads as
    one field: a name that is no field of an agenda item (nor close to one) with
    a single value."""
    if not isinstance(raw_entry, dict) or len(raw_entry) != 1:
        return False
    (key, value), = raw_entry.items()
    if isinstance(value, (dict, list)) or not isinstance(key, str):
        return False
    known = {k for spec in ITEM_FIELDS for k in spec.keys}
    names = [spec.name for spec in ITEM_FIELDS]
    return s.norm_key(key) not in known and not difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)


def _colon_problem(path: Path, where: str, raw_entry: dict, line: int | None) -> Problem:
    (key, value), = raw_entry.items()
    text = _written_line(path, line, str(key)) or (f"{key}: {value}" if value is not None else f"{key}:")
    return Problem(
        path, f"YAML läser punkten som ett fält med namnet '{quote(str(key))}', eftersom texten har ett kolon "
              f"följt av mellanslag. Är det punktens rubrik, skriv den inom citattecken: - {_yaml_quoted(text)}",
        field=where, line=line)


def _written_line(path: Path, line: int | None, key: str) -> str:
    """The agenda line as the secretary wrote it, without '- ' and a comment; "" if it cannot be read."""
    try:
        lines = s.read_limited_text(path, limits.MAX_YAML_BYTES).splitlines()
    except (OSError, UnicodeDecodeError, s.FileTooLarge):
        return ""
    if line is None or not 0 < line <= len(lines):
        return ""
    text = re.sub(r"\s+#.*$", "", lines[line - 1]).strip().removeprefix("-").strip()
    return text if text.startswith(key) else ""


def _yaml_quoted(text: str) -> str:
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def _warn_unreferenced(folder: Path, referenced: dict[str, int], found: s.Collected) -> None:
    for key in sorted(_case_candidates(folder)):
        if key not in referenced:
            found.warnings.append(
                Problem(folder / MEETING_FILE, f"ärendet '{key}' finns i mappen men inte i föredragningslistan "
                                               "och kommer inte med i kallelsen.", field="föredragningslista")
            )


def _case_files(folder: Path) -> list[Path]:
    """The files in a case folder that hold the item's text: its tjänsteskrivelse or its ärende file."""
    children = entries_by_nfc(folder)
    found = (children.get(nfc(name)) for name in CASE_FILES + ITEM_FILES)
    return [path for path in found if path is not None and path.is_file()]


def _case_candidates(folder: Path) -> dict[str, Path]:
    """Case key (the NFC name of a .md file or a case folder) -> the file with its text."""
    result = {}
    for entry in folder.iterdir():
        if entry.is_file() and entry.suffix == ".md":
            result[nfc(entry.stem)] = entry
        elif entry.is_dir() and (written := _case_files(entry)):
            result[nfc(entry.name)] = written[0]
    return result


def _load_case_ref(folder: Path, path: Path, key: str, where: str, line: int | None,
                   committee: Committee | None, found: s.Collected) -> Case | None:
    candidates = _case_candidates(folder)
    source = candidates.get(key)
    if source is None:
        hint = suggestion(key, list(candidates), cutoff=0.6)
        known = ", ".join(sorted(candidates)) or "inga"
        shown = quote(key)
        found.problems.append(
            Problem(path, f"ärendet '{shown}' finns inte: varken {shown}.md eller mappen {shown}/ med "
                          f"tjansteskrivelse.md eller arende.md finns i {folder}.{hint} Ärenden som finns: {known}.",
                    field=where, line=line)
        )
        return None
    files = _case_files(source.parent) if source.parent != folder else []
    if len(files) > 1:
        names = " och ".join(p.name for p in files)
        found.problems.append(
            Problem(path, f"mappen {quote(key)}/ har både {names}; ett ärende har en av dem. Ta bort den ena "
                          "eller byt namn på den.", field=where, line=line)
        )
        return None
    return load_case(source, key, folder, committee, found)


# ------------------------------------------------------------------- case

def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    written = str(value).strip().lower()
    if written not in ("ja", "nej"):
        raise s.Invalid(f"'{quote(value)}' går inte att läsa här: skriv ja eller nej.")
    return written == "ja"


def secrecy_ground(value: Any) -> str:
    """``sekretess:`` on an item or a bilaga: the provision of OSL that makes it secret."""
    written = "" if value is None or isinstance(value, bool) else s.text(value)
    if not written or written.lower() in ("ja", "nej"):
        raise s.Invalid(f"skriv grunden för sekretessen, bestämmelsen i offentlighets- och sekretesslagen, "
                        f"till exempel 'sekretess: OSL 21 kap. 1 §'. Är handlingen offentlig, ta bort fältet.")
    return written


CASE_FIELDS = [
    s.Field("rubrik", s.text, required=True),
    s.Field("tjänsteskrivelse", _yes_no),
    s.Field("dnr", s.text, default="", aliases=("diarienummer",)),
    s.Field("datum", s.date_value),
    s.Field("föredragande", s.text, default=""),
    s.Field("tid", s.time_text, default=""),
    s.Field("expedieras till", s.text_list, default=list, aliases=("utdrag till",)),
    s.Field("bilagor", s.raw, default=list),
    s.Field("handläggare", s.raw),
    s.Field("undertecknare", s.raw),
    s.Field("förslagsrubrik", s.text, default=""),
    s.Field("sekretess", secrecy_ground, default=""),
]
_CASE_FIELD = {spec.name: spec for spec in CASE_FIELDS}
REPORT_REQUIRED = ("dnr", "datum")  # required when the item has a tjänsteskrivelse
REPORT_ONLY = ("handläggare", "undertecknare", "förslagsrubrik")  # meaningless without one
ATTACHMENT_FIELDS = [s.Field("fil", s.text, required=True), s.Field("titel", s.text, required=True),
                     s.Field("sekretess", secrecy_ground, default="")]
ATTACHMENT_DOC_FIELDS = [s.Field("rubrik", s.text, default="")]
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)

def split_front_matter(path: Path, found: s.Collected, required: bool = True) -> tuple[Any, str, int]:
    """Return (front matter data, body, line number where the body starts)."""
    try:
        content = s.read_limited_text(path, limits.MAX_MARKDOWN_BYTES)
    except s.FileTooLarge as exc:
        found.problems.append(Problem(path, s.too_large_message(exc, s.MARKDOWN_ADVICE)))
        return None, "", 1
    except OSError as exc:
        found.problems.append(Problem(path, s.unreadable_message(exc)))
        return None, "", 1
    except UnicodeDecodeError as exc:
        found.problems.append(
            Problem(path, f"filen är inte sparad som UTF-8 (byte {exc.start}). Spara den som UTF-8 i din editor.")
        )
        return None, "", 1
    content = content.lstrip("\ufeff")
    match = FRONT_MATTER.match(content)
    if match is None:
        if required:
            found.problems.append(
                Problem(path, "filen ska börja med uppgifterna (rubrik, dnr, datum …) mellan två rader '---'.",
                        line=1)
            )
        return None, content, 1
    data = s.load_yaml(match.group(1), path, found.problems, line_offset=1)
    body_line = content[: match.end()].count("\n") + 1
    return data, content[match.end():], body_line


def load_case(source: Path, key: str, meeting_folder: Path, committee: Committee | None,
              found: s.Collected) -> Case | None:
    """An ärende from its file: with a tjänsteskrivelse, or (``tjänsteskrivelse: nej``) without."""
    data, body, body_line = split_front_matter(source, found)
    if data is None:
        return None
    reader = found.reader(source)
    values = reader.read(data, CASE_FIELDS, 1)
    if values is None:
        return None
    lines = getattr(data, "key_lines", {})
    sections = split_sections(body)
    report_markdown(found, source, body, body_line, meeting_folder)
    attachments = _load_attachments(source, values["bilagor"], meeting_folder, reader,
                                    _key_line(lines, "bilagor"), found)
    if _has_report(source, values):
        parts = _report_parts(source, data, values, committee, sections, body_line, found)
    else:
        parts = _item_parts(source, data, sections, body_line, found)
    if parts is None:
        return None
    return Case(
        key=key,
        source=source,
        title=values["rubrik"],
        dnr=values["dnr"],
        date=values["datum"],
        presenter=values["föredragande"],
        time=values["tid"],
        dispatch=values["expedieras till"],
        attachments=attachments,
        secrecy=values["sekretess"],
        **parts,
    )


def _has_report(source: Path, values: dict) -> bool:
    """``tjänsteskrivelse:`` as written; without it, an ``arende.md`` has none and any other file has one."""
    if values["tjänsteskrivelse"] is not None:
        return values["tjänsteskrivelse"]
    return nfc(source.name) not in {nfc(name) for name in ITEM_FILES}


def _written(data: dict, name: str) -> tuple[str, Any] | None:
    """(the key as written, its value) of the case field ``name``, or None when the file does not have it."""
    keys = _CASE_FIELD[name].keys
    return next(((str(k), v) for k, v in data.items() if s.norm_key(k) in keys), None)


def _report_parts(source: Path, data: dict, values: dict, committee: Committee | None,
                  sections: list[tuple[str, str, int]], body_line: int, found: s.Collected) -> dict | None:
    """What only an item with a tjänsteskrivelse has: officers, signatories and its checked sections."""
    reader = found.reader(source)
    _require_report_fields(source, data, found)
    lines = getattr(data, "key_lines", {})
    officers = _officers(values["handläggare"], committee, reader, _key_line(lines, "handläggare"))
    signatories = _signatories(data, committee, reader, _key_line(lines, "undertecknare"))
    description, proposal, after = _case_sections(source, sections, body_line, found)
    if proposal is None:
        return None
    default_heading = committee.proposal_heading if committee else PROPOSAL
    return {"officers": officers, "signatories": signatories, "description": description, "proposal": proposal,
            "after_proposal": after, "proposal_heading": values["förslagsrubrik"] or default_heading}


def _require_report_fields(source: Path, data: dict, found: s.Collected) -> None:
    """dnr and datum: optional for an item without tjänsteskrivelse, required for one with."""
    for name in REPORT_REQUIRED:
        written = _written(data, name)
        if written is None or written[1] in (None, ""):
            found.problems.append(
                Problem(source, "fältet saknas eller är tomt men måste fyllas i när ärendet har en "
                                "tjänsteskrivelse. Har ärendet ingen tjänsteskrivelse, skriv "
                                "'tjänsteskrivelse: nej'.",
                        field=written[0] if written else name, line=getattr(data, "line", 1))
            )


def _officers(written: Any, committee: Committee | None, reader: s.Reader, line: int | None) -> list[Contact]:
    """The handläggare: one mapping or a list of them; the committee's secretary when none is written."""
    default = [committee.secretary] if committee else []
    if written is None:
        return default
    if isinstance(written, list):
        rows = read_list(reader, written, "handläggare", CONTACT_FIELDS, line)
    else:
        rows = [row for row in [reader.sub("handläggare.").read(written, CONTACT_FIELDS, line)] if row]
    return [contact_from(row) for row in rows] or default


def _signatories(data: dict, committee: Committee | None, reader: s.Reader, line: int | None) -> list[Signatory]:
    """``undertecknare``: the committee's when the field is not written; none for ``undertecknare: []``."""
    written = _written(data, "undertecknare")
    if written is None:
        return committee.signatories if committee else []
    if written[1] in (None, "", []):
        return []
    rows = read_list(reader, written[1], "undertecknare", SIGNATORY_FIELDS, line)
    return [Signatory(r["namn"], r["titel"]) for r in rows]


def _item_parts(source: Path, data: dict, sections: list[tuple[str, str, int]], body_line: int,
                found: s.Collected) -> dict:
    """An item without tjänsteskrivelse: its sections, an optional proposal and Beslutsunderlag."""
    lines = getattr(data, "key_lines", {})
    for name in REPORT_ONLY:
        if (written := _written(data, name)) is not None:
            found.warnings.append(
                Problem(source, "används inte: ärendet har ingen tjänsteskrivelse (tjänsteskrivelse: nej). "
                                "Ta bort fältet.", field=written[0], line=lines.get(written[0]))
            )
    description, proposal, after, basis = _item_sections(source, sections, body_line, found)
    return {"officers": [], "signatories": [], "description": description, "proposal": proposal,
            "after_proposal": after, "has_report": False, "basis": basis}


def _key_line(lines: dict[str, int], name: str) -> int | None:
    return next((v for k, v in lines.items() if s.norm_key(k) == s.norm_key(name)), None)


_FENCE = re.compile(r"^\s*(```|~~~)")
_SECTION = re.compile(r"^#{1,2}\s+(.+?)\s*#*\s*$")


def split_sections(body: str) -> list[tuple[str, str, int]]:
    """Split Markdown at level 1-2 headings: (heading, markdown, 0-based line)."""
    sections: list[tuple[str, list[str], int]] = [("", [], 0)]
    in_fence = False
    for number, line in enumerate(body.splitlines()):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _SECTION.match(line)
        if match:
            sections.append((match.group(1).strip(), [], number))
        else:
            sections[-1][1].append(line)
    return [(h, "\n".join(lines).strip("\n"), n) for h, lines, n in sections]


def _same_heading(a: str, b: str) -> bool:
    return s.norm_key(a.rstrip(":")) == s.norm_key(b)


def _case_sections(source: Path, sections, body_line: int,
                   found: s.Collected) -> tuple[list[Section], str | None, list[Section]]:
    """A tjänsteskrivelse's sections: one or more before the proposal, the proposal, the rest."""
    preface, *named = sections
    if preface[1].strip():
        found.problems.append(
            Problem(source, f"det står text före den första rubriken. Skriv en rubrik över den, till exempel "
                            f"'## {DESCRIPTION}'.", line=body_line + _first_text_line(preface[1]))
        )
    proposal_at = next((i for i, (h, _, _) in enumerate(named) if _same_heading(h, PROPOSAL)), None)
    if proposal_at is None:
        found.problems.append(
            Problem(source, f"rubriken '## {PROPOSAL}' saknas. En tjänsteskrivelse har ett eller flera avsnitt "
                            f"(till exempel '## {DESCRIPTION}' eller '## Bakgrund') och sedan '## {PROPOSAL}'. "
                            "Har ärendet ingen tjänsteskrivelse, skriv 'tjänsteskrivelse: nej' bland uppgifterna "
                            "mellan '---'; då är förslaget valfritt.")
        )
        return [], None, []
    if proposal_at == 0:
        found.problems.append(
            Problem(source, f"det finns inget avsnitt före '## {PROPOSAL}'. Skriv ärendets bakgrund under en "
                            f"egen rubrik före förslaget, till exempel '## {DESCRIPTION}'.",
                    line=body_line + named[0][2])
        )
    proposal = named[proposal_at][1]
    if not proposal.strip():
        found.problems.append(
            Problem(source, f"avsnittet '## {PROPOSAL}' är tomt. Skriv förslaget under rubriken.",
                    line=body_line + named[proposal_at][2])
        )
    description = [Section(_canonical(h), md) for h, md, _ in named[:proposal_at]]
    after = [Section(h, md) for h, md, _ in named[proposal_at + 1:]]
    return description, proposal, after


def _item_sections(source: Path, sections, body_line: int,
                   found: s.Collected) -> tuple[list[Section], str, list[Section], str]:
    """An item without tjänsteskrivelse: (sections before the proposal, the proposal or "", sections after it,
    the hand-written Beslutsunderlag or ""). Text before the first heading is its Ärendebeskrivning."""
    preface, *named = sections
    parts = ([(DESCRIPTION, preface[1], preface[2])] if preface[1].strip() else []) + named
    basis = "\n\n".join(md for h, md, _ in parts if _same_heading(h, BASIS) and md.strip())
    parts = [part for part in parts if not _same_heading(part[0], BASIS)]
    proposal_at = next((i for i, (h, _, _) in enumerate(parts) if _same_heading(h, PROPOSAL)), len(parts))
    proposal = parts[proposal_at][1] if proposal_at < len(parts) else ""
    if proposal_at < len(parts) and not proposal.strip():
        found.problems.append(
            Problem(source, f"avsnittet '## {PROPOSAL}' är tomt. Skriv förslaget under rubriken, eller ta bort "
                            "rubriken om ärendet inte har något förslag till beslut.",
                    line=body_line + parts[proposal_at][2])
        )
    description = [Section(_canonical(h), md) for h, md, _ in parts[:proposal_at]]
    after = [Section(_canonical(h), md) for h, md, _ in parts[proposal_at + 1:]]
    return description, proposal, after, basis


def _canonical(heading: str) -> str:
    return DESCRIPTION if _same_heading(heading, DESCRIPTION) else heading.rstrip(":")


def _first_text_line(text: str) -> int:
    return next((i for i, line in enumerate(text.splitlines()) if line.strip()), 0)


# ------------------------------------------------------------ attachments


def _load_attachments(source: Path, data: Any, meeting_folder: Path, reader: s.Reader,
                      line: int | None, found: s.Collected) -> list[Attachment]:
    if isinstance(data, list) and len(data) > limits.MAX_BILAGOR_PER_CASE:
        found.problems.append(
            Problem(source, f"ärendet har {len(data)} bilagor; högst {limits.MAX_BILAGOR_PER_CASE} går att ta med. "
                            "Slå ihop bilagor till en PDF eller kontrollera att listan inte har klistrats in "
                            "flera gånger.", field="bilagor", line=line)
        )
        return []
    rows = read_list(reader, data, "bilagor", ATTACHMENT_FIELDS, line)
    attachments = []
    base = source.parent.resolve()
    root = meeting_folder.resolve()
    for number, row in enumerate(rows, start=1):
        field = f"bilagor[{number}].fil"
        at = getattr(data[number - 1], "key_lines", {}).get("fil", line)
        shown = quote(row["fil"])
        if unusable := name_problem(row["fil"]):
            found.problems.append(Problem(source, f"bilagans namn '{shown}' {unusable}. Skriv namnet på nytt.",
                                          field=field, line=at))
            continue
        path = locate(base, row["fil"]).resolve()
        if not path.is_relative_to(root):
            found.problems.append(
                Problem(source, f"bilagan '{shown}' ligger utanför sammanträdets mapp {meeting_folder}. "
                                "Kopiera filen till ärendets mapp och skriv bara filnamnet.", field=field, line=at)
            )
            continue
        if not path.is_file():
            found.problems.append(Problem(source, _missing_file_message(row["fil"], base), field=field, line=at))
            continue
        kind = ATTACHMENT_KINDS.get(path.suffix.lower())
        if kind is None:
            found.problems.append(
                Problem(source, f"bilagan '{shown}' har filtypen {quote(path.suffix) or '(ingen)'}, som inte "
                                "kan tas med. Spara den som PDF, Word (.docx) eller Markdown (.md).", field=field,
                        line=at)
            )
            continue
        problem = _size_problem(path, kind) or _check_attachment_file(path, kind)
        if problem:
            found.problems.append(Problem(source, f"bilagan '{shown}' {problem}", field=field, line=at))
            continue
        heading, markdown = "", ""
        if kind == "md":
            front, markdown, markdown_line = split_front_matter(path, found, required=False)
            report_markdown(found, path, markdown, markdown_line, meeting_folder)
            if front is not None:
                heading = (found.reader(path).read(front, ATTACHMENT_DOC_FIELDS, 1) or {}).get("rubrik", "")
        attachments.append(Attachment(number, row["titel"], path, kind, heading, markdown, row["sekretess"]))
    return attachments


def _missing_file_message(name: str, base: Path) -> str:
    folder = locate(base, str(Path(name).parent))
    files = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    hint = suggestion(Path(name).name, files)
    return (f"bilagan '{quote(name)}' finns inte i {base}.{hint} "
            "Kontrollera filnamnet (stora och små bokstäver räknas).")


def _size_problem(path: Path, kind: str) -> str | None:
    """Why a received bilaga is too large, or None (Markdown has its own, lower limit)."""
    if kind == "md":
        return None
    try:
        s.check_file_size(path, limits.MAX_BILAGA_BYTES)
    except s.FileTooLarge as exc:
        return s.too_large_message(exc, s.BILAGA_ADVICE, subject="")
    return None


def _check_attachment_file(path: Path, kind: str) -> str | None:
    """A reason the file cannot be used, or None."""
    if kind == "pdf":
        try:
            reader = PdfReader(path)
            if reader.is_encrypted:
                return ("är lösenordsskyddad (krypterad) och kan inte tas med. Be avsändaren om en olåst PDF, "
                        "eller spara en kopia utan lösenord.")
            if len(reader.pages) == 0:
                return "har inga sidor. Exportera den på nytt till PDF."
            reader.pages[0].mediabox  # noqa: B018 - touches the page tree
        except (PyPdfError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
            log.debug("pdf %s failed to open: %s", path, exc)
            return "är skadad och går inte att läsa som PDF. Exportera eller ladda ner den på nytt."
    elif kind == "docx":
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if path.suffix.lower() == ".docx" and "word/document.xml" not in names:
                    return "är ingen giltig Word-fil (.docx). Öppna den i Word och spara den som .docx."
                if path.suffix.lower() == ".odt" and "content.xml" not in names:
                    return "är ingen giltig OpenDocument-fil (.odt). Öppna den och spara den på nytt."
        except (zipfile.BadZipFile, OSError):
            return ("är skadad eller ingen riktig Word-fil (.docx). Öppna den i Word och spara den på nytt "
                    "som .docx; en gammal .doc-fil måste sparas om som .docx.")
    return None
