"""Who gets what.

- kallelse and protokoll: the roster, that is every ledamot and ersättare,
  the meeting's övriga and its extra mottagare, each with an e-mail address;
- utdrag: the protokoll's sändlista (``packets/MEETING/utdrag/sandlista.json``),
  each name resolved through the committee's ``adressbok``; an address gets
  one message with all of its extracts, however many names lead to it.

Every name and address is checked here, before any message is built.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import Problem, display_path
from ..model import Meeting, Person
from ..sources import MEETING_FILE
from .compose import check_address
from .headers import problem, shown, unsafe
from .errors import SendError

log = logging.getLogger(__name__)

UTDRAG_DIR = "utdrag"
DISPATCH_FILE = "sandlista.json"


@dataclass(frozen=True)
class Document:
    """A file from packets/ to send."""

    path: Path
    paragraphs: tuple[int, ...] = ()


@dataclass
class Recipient:
    address: str
    name: str  # display name in To:, empty for address-book recipients
    label: str  # how the summary shows the recipient: a person, or the names under Expedieras till
    documents: list[Document] = field(default_factory=list)  # utdrag only

    @property
    def key(self) -> str:
        return self.address.lower()

    @property
    def paragraphs(self) -> tuple[int, ...]:
        return tuple(sorted({p for d in self.documents for p in d.paragraphs}))


@dataclass
class Roster:
    recipients: list[Recipient]
    without_email: list[str]  # "Namn (ledamot)" for people who get nothing by e-mail


def roster(meeting: Meeting, problems: list[Problem]) -> Roster:
    """Everyone who gets the kallelse and the protokoll, one entry per address."""
    committee = meeting.committee
    meeting_file = meeting.folder / MEETING_FILE
    groups: list[tuple[str, str, Path, list[Person]]] = [
        ("ledamöter", "ledamot", committee.source, committee.members),
        ("ersättare", "ersättare", committee.source, committee.deputies),
        ("övriga", "övriga", meeting_file, meeting.others),
        ("extra mottagare", "extra mottagare", meeting_file, meeting.extra_recipients),
    ]
    result = Roster([], [])
    seen: dict[str, Recipient] = {}
    for field_name, role, source, people in groups:
        for index, person in enumerate(people, start=1):
            where, line = f"{field_name}[{index}]", None
            if source == committee.source:  # as written in the committee file, mandate period included
                where, line = committee.locations.get(person, (where, None))
            reason = problem(person.name)
            if reason:
                problems.append(Problem(source, f"namnet '{shown(person.name)}' {reason}", field=f"{where}.namn",
                                        line=line))
                continue
            if not person.email:
                result.without_email.append(f"{person.name} ({role})")
                if role in ("ledamot", "ersättare"):
                    log.warning("%s (%s) har ingen e-postadress i %s och får ingen e-post; skicka på annat sätt.",
                                person.name, role, display_path(source))
                continue
            reason = check_address(person.email)
            if reason:
                problems.append(Problem(source, reason, field=f"{where}.e-post", line=line))
                continue
            if person.email.lower() in seen:
                log.debug("%s already receives a message at %s", person.name, person.email)
                continue
            recipient = Recipient(person.email, person.name, person.name)
            seen[recipient.key] = recipient
            result.recipients.append(recipient)
    return result


# ------------------------------------------------------------- sändlista


@dataclass
class Dispatch:
    """The protokoll's sändlista, as written by ``make protokoll``."""

    path: Path
    adjusted: bool
    paragraphs: list[int]
    entries: list[dict[str, Any]]
    immediate: list[int] = field(default_factory=list)  # §§ justerade at the meeting: sendable before justering


def dispatch_path(packet_folder: Path) -> Path:
    return packet_folder / UTDRAG_DIR / DISPATCH_FILE


def load_dispatch(meeting: Meeting, packet_folder: Path) -> Dispatch:
    path = dispatch_path(packet_folder)
    redo = f"Kör make protokoll DATE={meeting.id} igen."
    if not path.is_file():
        raise SendError(f"Protokollet för {meeting.id} är inte framtaget: {display_path(path)} saknas. "
                        f"Kör make protokoll DATE={meeting.id} först. Inget har skickats.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SendError(f"{display_path(path)} går inte att läsa ({exc}). {redo} Inget har skickats.") from None
    ok = (isinstance(data, dict) and isinstance(data.get("mottagare", []), list)
          and all(isinstance(e, dict) for e in data.get("mottagare", [])))
    if not ok:
        raise SendError(f"{display_path(path)} har inte väntat innehåll. {redo} Inget har skickats.")
    committee = meeting.committee
    if str(data.get("datum", "")) != meeting.date.isoformat() or str(data.get("nämnd", "")) != committee.short_name:
        raise SendError(f"{display_path(path)} gäller {data.get('nämnd')} {data.get('datum')}, inte "
                        f"{committee.short_name} {meeting.date.isoformat()}. {redo} Inget har skickats.")
    paragraphs = [p for p in data.get("paragrafer", []) if isinstance(p, int)]
    immediate = data.get("omedelbart justerade", [])
    immediate = [p for p in immediate if isinstance(p, int)] if isinstance(immediate, list) else []
    return Dispatch(path, data.get("justerat") is True, paragraphs, data.get("mottagare", []), immediate)


def immediate_only(recipients: list[Recipient], paragraphs: list[int]) -> list[Recipient]:
    """The recipients of the extracts of ``paragraphs`` (justerade at the meeting), with only those extracts."""
    wanted = set(paragraphs)
    result = []
    for recipient in recipients:
        documents = [d for d in recipient.documents if d.paragraphs and set(d.paragraphs) <= wanted]
        if documents:
            result.append(replace(recipient, documents=documents))
    return result


def extract_recipients(meeting: Meeting, dispatch: Dispatch, problems: list[Problem]) -> list[Recipient]:
    """One recipient per address, with every extract sent to it under any name."""
    committee = meeting.committee
    folder = dispatch.path.parent.resolve()
    book = committee.address_book
    missing: list[str] = []
    by_address: dict[str, Recipient] = {}
    for index, entry in enumerate(dispatch.entries, start=1):
        where = f"mottagare[{index}]"
        name = str(entry.get("mottagare", "")).strip()
        if not name or unsafe(name):
            problems.append(Problem(dispatch.path, f"mottagaren '{shown(name)}' är tom eller innehåller "
                                                   "radbrytningar.", field=where))
            continue
        documents = _documents(dispatch, entry, folder, where, problems)
        if name in book:
            addresses = book[name]
        elif check_address(name) is None:
            addresses = [name]  # an address written directly under Expedieras till
        else:
            missing.append(name)
            continue
        if not addresses:
            problems.append(Problem(committee.source, f"'{name}' har ingen e-postadress i adressboken.",
                                    field=f"adressbok.{name}"))
            continue
        for address in addresses:
            reason = check_address(address)
            if reason:
                problems.append(Problem(committee.source, reason, field=f"adressbok.{name}"))
                continue
            recipient = by_address.get(address.lower())
            if recipient is None:
                recipient = by_address[address.lower()] = Recipient(address, "", name)
            elif name not in recipient.label.split(", "):
                recipient.label += f", {name}"
            for document in documents:
                if document.path not in {d.path for d in recipient.documents}:
                    recipient.documents.append(document)
    if missing:
        names = ", ".join(f"'{n}'" for n in dict.fromkeys(missing))
        known = ", ".join(f"'{n}'" for n in book) or "inga"
        problems.append(Problem(committee.source, f"adressboken saknar {names}, som står under 'Expedieras till'. "
                                                  "Lägg till en rad per mottagare med e-postadressen, till exempel "
                                                  f"'{missing[0]}: namn@example.org'. Namn i adressboken: {known}.",
                                field="adressbok"))
    for recipient in by_address.values():
        recipient.documents.sort(key=lambda d: (d.paragraphs, d.path.name))
    return list(by_address.values())


def _documents(dispatch: Dispatch, entry: dict, folder: Path, where: str,
               problems: list[Problem]) -> list[Document]:
    files = entry.get("filer", [])
    paragraphs = entry.get("paragrafer", [])
    if not isinstance(files, list) or not isinstance(paragraphs, list):
        problems.append(Problem(dispatch.path, "filer och paragrafer ska vara listor.", field=where))
        return []
    parallel = len(files) == len(paragraphs) and all(isinstance(p, int) for p in paragraphs)
    result = []
    for position, name in enumerate(files):
        path = (folder / str(name)).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            problems.append(Problem(dispatch.path, f"protokollsutdraget '{name}' finns inte i {display_path(folder)}. "
                                                   f"Kör make protokoll igen.", field=f"{where}.filer"))
            continue
        numbers = (paragraphs[position],) if parallel else tuple(p for p in paragraphs if isinstance(p, int))
        result.append(Document(path, numbers))
    return result
