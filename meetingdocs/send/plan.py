"""Prepare, preview and deliver one mailing.

``prepare`` reads and checks everything (sources, settings, templates,
recipients, addresses, sizes, the send log) and builds nothing on disk;
any problem stops the run before a single message exists. ``write_previews``
is the dry run. ``deliver`` is the only function that talks to a server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote

from .. import secrecy
from ..buildkit import publish, signals_held
from ..errors import Problem, display_path
from ..model import Meeting
from ..sources import MEETING_FILE, find_meeting, load_meeting
from . import compose
from .compose import Part, Templates, check_address
from .errors import NOTHING_SENT, SendError, SendSourceError
from .headers import problem, shown
from .ledger import FOLDER, Entry, Ledger, SentFile, fingerprint, now
from .recipients import Dispatch, Recipient, extract_recipients, immediate_only, load_dispatch, roster
from .settings import ENV_FROM, ENV_PASSWORD, ENV_PUBLIC_URL, ENV_USER, MEGABYTE, SETTINGS_FILE, Settings, \
    load_settings
from .transport import Connection, Outcome

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
WHATS = ("kallelse", "protokoll", "utdrag")
PACKET_FILES = {"kallelse": "kallelse.pdf", "protokoll": "protokoll.pdf"}

NEW, SENT, CHANGED = "ny", "skickad", "ändrad"


def megabytes(size: int) -> str:
    """``12,3 MB`` (or kB for small files)."""
    if size < MEGABYTE:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / MEGABYTE:.1f}".replace(".", ",") + " MB"


def count(number: int, one: str = "meddelande", many: str = "meddelanden") -> str:
    """``1 meddelande``, ``2 meddelanden``."""
    return f"{number} {one if number == 1 else many}"


@dataclass(frozen=True)
class File:
    """A PDF from packets/ as it goes out: the name the recipient sees and its hash."""

    path: Path
    filename: str
    sha256: str
    size: int
    paragraphs: tuple[int, ...] = ()


@dataclass
class Message:
    index: int  # 1-based, the order of the summary and of sending
    recipient: Recipient
    subject: str
    body: str
    files: list[File]
    link: bool  # the body has links instead of attachments
    size: int = 0  # the encoded message, in bytes
    status: str = NEW
    previous: Entry | None = None
    already: list[File] = field(default_factory=list)  # utdrag the recipient got earlier, left out of this one

    @property
    def to(self) -> Address:
        return Address(display_name=self.recipient.name, addr_spec=self.recipient.address)

    @property
    def shown_recipient(self) -> str:
        r = self.recipient
        if r.name:
            return f"{r.name} <{r.address}>"
        return r.address if r.label == r.address else f"{r.address} ({r.label})"

    @property
    def shown_attachment(self) -> str:
        names = ", ".join(f.filename for f in self.files)
        shown = f"länk: {names}" if self.link else names
        if self.already:
            shown += f" (redan skickat: {paragraph_text(paragraphs_of(self.already))})"
        return shown

    @property
    def fingerprint(self) -> tuple[str, ...]:
        return fingerprint([f.sha256 for f in self.files])


@dataclass
class SendPlan:
    meeting: Meeting
    what: str
    packet_folder: Path
    settings: Settings
    sender: Address
    reply_to: Address | None
    messages: list[Message]
    without_email: list[str] = field(default_factory=list)
    adjusted: bool = True  # the protokoll is justerat (always True for the kallelse)
    immediate_only: tuple[int, ...] = ()  # utdrag before justering: only these §§, justerade at the meeting
    _parts: dict[Path, Part] = field(default_factory=dict, repr=False)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.packet_folder)

    @property
    def title(self) -> str:
        """``kallelse GNS 2020-12-11``."""
        return f"{self.what} {self.meeting.committee.short_name} {self.meeting.date.isoformat()}"

    def part(self, path: Path, filename: str) -> Part:
        """The file read once per run, its base64 form computed once."""
        if path not in self._parts:
            self._parts[path] = Part(filename, path.read_bytes())
        return self._parts[path]

    def build(self, message: Message, message_id: str | None = None, date: dt.datetime | None = None) -> bytes:
        parts = [] if message.link else [self.part(f.path, f.filename) for f in message.files]
        return compose.message_bytes(
            sender=self.sender, reply_to=self.reply_to, to=message.to, subject=message.subject,
            body=message.body, parts=parts, message_id=message_id or compose.new_message_id(self.sender.addr_spec),
            date=date or now(),
        )

    def pending(self, again: bool) -> list[Message]:
        return [m for m in self.messages if m.status == NEW or (again and m.status == CHANGED)]


def _warn_if_secrets_go_to_extra_recipients(meeting: Meeting) -> None:
    """The members' kallelse holds what is marked secret; the extra mottagare get it too: say so by name."""
    if not meeting.extra_recipients or not secrecy.has_markings(meeting):
        return
    names = ", ".join(person.name for person in meeting.extra_recipients)
    log.warning("Kallelsen innehåller uppgifter som är markerade som sekretess, och den skickas också till "
                "'extra mottagare' i %s: %s. Kontrollera att de får ta del av uppgifterna; annars ta bort dem "
                "under 'extra mottagare' och ge dem den offentliga kallelsen (publik/kallelse.pdf) i stället.",
                MEETING_FILE, names)


# ================================================================ prepare


def prepare(sources: Path, date: str, what: str, out_root: Path, *, env: Mapping[str, str] | None = None,
            templates: Path = TEMPLATES) -> SendPlan:
    """Read and check everything for one mailing; raise before anything is written or sent."""
    if what not in WHATS:
        raise SendError(f"Okänt utskick '{what}'. Välj ett av: {', '.join(WHATS)}.")
    env = os.environ if env is None else env
    folder = find_meeting(sources, date, command="send")
    meeting, _ = load_meeting(folder)
    settings, warnings = load_settings(sources, env)
    for warning in warnings:
        log.warning("%s", warning)
    packet_folder = (out_root / meeting.id).resolve()
    problems: list[Problem] = []
    _check_texts(meeting, problems)
    sender, reply_to = _sender(meeting, settings, env, problems)

    dispatch: Dispatch | None = None
    without_email: list[str] = []
    early: tuple[int, ...] = ()
    if what == "utdrag":
        dispatch = load_dispatch(meeting, packet_folder)
        recipients = extract_recipients(meeting, dispatch, problems)
        if not dispatch.adjusted and dispatch.immediate:  # before justering: the §§ justerade at the meeting
            early = tuple(dispatch.immediate)
            recipients = immediate_only(recipients, dispatch.immediate)
    else:
        if what == "protokoll":
            dispatch = load_dispatch(meeting, packet_folder)
        _require_packet_file(meeting, packet_folder, what)
        listed = roster(meeting, problems)
        recipients, without_email = listed.recipients, listed.without_email
    if problems:
        raise SendSourceError(problems)
    if what == "kallelse":
        _warn_if_sources_newer(meeting, packet_folder / PACKET_FILES["kallelse"])
        _warn_if_secrets_go_to_extra_recipients(meeting)

    plan = SendPlan(meeting, what, packet_folder, settings, sender, reply_to, [], without_email,
                    adjusted=dispatch.adjusted if dispatch is not None else True, immediate_only=early)
    texts = Templates(templates, meeting.committee.key)
    base = {**_base_context(meeting, dispatch), "omedelbart": bool(early)}
    hashes: dict[Path, File] = {}
    sent = plan.ledger.files_sent(what) if what == "utdrag" else {}
    for index, recipient in enumerate(recipients, start=1):
        files = [_file(hashes, plan, path, paragraphs) for path, paragraphs in _documents(plan, recipient)]
        files, already = _leave_out_sent(plan, files, sent.get(recipient.key, {}))
        plan.messages.append(_message(plan, texts, base, index, recipient, files, already))
    _check_sizes(plan)
    _mark_sent(plan)
    return plan


def _check_texts(meeting: Meeting, problems: list[Problem]) -> None:
    """Texts from the sources that can reach a header (names, and what a template may put in the subject)."""
    committee = meeting.committee
    secretary = committee.secretary
    values = [
        (committee.source, "namn", committee.name),
        (committee.source, "kortnamn", committee.short_name),
        (committee.source, "organisation", committee.organisation),
        (committee.source, "sekreterare.namn", secretary.name),
        (committee.source, "sekreterare.titel", secretary.title),
        (committee.source, "sekreterare.enhet", secretary.unit),
        (committee.source, "sekreterare.telefon", secretary.phone),
        (meeting.folder / MEETING_FILE, "plats", meeting.place),
        (meeting.folder / MEETING_FILE, "tid", meeting.time),
    ]
    for source, name, value in values:
        reason = problem(value)
        if reason:
            problems.append(Problem(source, f"värdet '{shown(value)}' {reason}", field=name))


def _sender(meeting: Meeting, settings: Settings, env: Mapping[str, str],
            problems: list[Problem]) -> tuple[Address, Address | None]:
    secretary = meeting.committee.secretary
    source = meeting.committee.source
    if settings.sender:
        name, address = compose.parse_sender(settings.sender)
        reason = check_address(address)
        if not reason and (name_reason := problem(name)):
            reason = f"avsändarens namn '{shown(name)}' {name_reason}"
        if reason:
            if env.get(ENV_FROM, "").strip():
                problems.append(Problem(None, f"miljövariabeln {ENV_FROM}: {reason}"))
            else:
                problems.append(Problem(settings.source, reason, field="avsändare"))
            return Address(addr_spec="invalid@invalid.invalid"), None
        if not name and address.lower() == secretary.email.lower():
            name = secretary.name
    else:
        if not secretary.email:
            problems.append(Problem(source, "sekreteraren har ingen e-postadress, och ingen avsändare är angiven. "
                                            "Skriv sekreterarens e-post eller 'avsändare:' i "
                                            f"sources/{SETTINGS_FILE}.", field="sekreterare.e-post"))
            return Address(addr_spec="invalid@invalid.invalid"), None
        name, address = secretary.name, secretary.email
        reason = check_address(address)
        if reason:
            problems.append(Problem(source, reason, field="sekreterare.e-post"))
            return Address(addr_spec="invalid@invalid.invalid"), None
    if problem(name):
        name = ""  # the secretary's name; reported by _check_texts
    sender = Address(display_name=name, addr_spec=address)
    reply_to = None
    if secretary.email and secretary.email.lower() != address.lower() and check_address(secretary.email) is None:
        reply_to = Address(display_name=secretary.name if not problem(secretary.name) else "",
                           addr_spec=secretary.email)
    return sender, reply_to


def _require_packet_file(meeting: Meeting, packet_folder: Path, what: str) -> None:
    path = packet_folder / PACKET_FILES[what]
    if not path.is_file():
        make = "make packet" if what == "kallelse" else "make protokoll"
        raise SendError(f"{display_path(path)} finns inte. Kör {make} DATE={meeting.id} först. {NOTHING_SENT}")


def _warn_if_sources_newer(meeting: Meeting, packet: Path) -> None:
    built = packet.stat().st_mtime
    files = [meeting.folder / MEETING_FILE] + [item.case.source for item in meeting.cases]
    newer = [p for p in files if p.is_file() and p.stat().st_mtime > built + 1]
    if newer:
        names = ", ".join(display_path(p) for p in newer[:3]) + (" …" if len(newer) > 3 else "")
        log.warning("Källfilerna har ändrats efter att %s byggdes (%s). Om ändringen ska med i kallelsen: "
                    "kör make packet DATE=%s innan du skickar.", display_path(packet), names, meeting.id)


def _documents(plan: SendPlan, recipient: Recipient) -> list[tuple[Path, tuple[int, ...]]]:
    if plan.what == "utdrag":
        return [(d.path, d.paragraphs) for d in recipient.documents]
    return [(plan.packet_folder / PACKET_FILES[plan.what], ())]


def _file(cache: dict[Path, File], plan: SendPlan, path: Path, paragraphs: tuple[int, ...]) -> File:
    if path not in cache:
        meeting = plan.meeting
        name = compose.attachment_name(plan.what, meeting.committee.short_name, meeting.date, paragraphs)
        data = plan.part(path, name).data
        cache[path] = File(path, name, hashlib.sha256(data).hexdigest(), len(data), paragraphs)
    return cache[path]


# ---------------------------------------------------------------- context


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _base_context(meeting: Meeting, dispatch: Dispatch | None) -> dict:
    committee = meeting.committee
    secretary = committee.secretary
    paragraphs = dispatch.paragraphs if dispatch is not None else []
    span = ""
    if paragraphs:
        first, last = min(paragraphs), max(paragraphs)
        span = f"§ {first}" if first == last else f"§§ {first}–{last}"
    return {
        "namnd": committee.name,
        "kortnamn": committee.short_name,
        "organisation": committee.organisation,
        "datum": meeting.date.isoformat(),
        "datum_text": compose.date_text(meeting.date),
        "tid": meeting.time,
        "plats": meeting.place,
        "punkter": [
            {"nr": item.number, "rubrik": _one_line(item.title), "dnr": item.case.dnr if item.case else ""}
            for item in meeting.agenda if item.number is not None
        ],
        "kontakt": {
            "namn": secretary.name, "titel": secretary.title, "enhet": secretary.unit,
            "telefon": secretary.phone, "epost": secretary.email,
        },
        "paragrafer": list(paragraphs),
        "paragrafer_text": span,
    }


def _links(plan: SendPlan, files: list[File]) -> list[dict]:
    meeting = plan.meeting
    template = plan.settings.link
    base = (template.replace("{nämnd}", quote(meeting.committee.key))
            .replace("{datum}", quote(meeting.id)))
    if "{fil}" not in base:
        return [{"namn": ", ".join(f.filename for f in files), "url": base}]
    return [{"namn": f.filename, "url": base.replace("{fil}", quote(f.path.name))} for f in files]


def paragraphs_of(files: list[File]) -> tuple[int, ...]:
    return tuple(sorted({p for f in files for p in f.paragraphs}))


def paragraph_text(paragraphs: tuple[int, ...]) -> str:
    return compose.paragraph_text(paragraphs) if paragraphs else ""


def _leave_out_sent(plan: SendPlan, files: list[File], sent: dict[str, SentFile]) -> tuple[list[File], list[File]]:
    """(to send, already sent): an utdrag the recipient already got, unchanged, is not sent again.

    When everything was sent, the message keeps all its files (and shows as sent).
    """
    already = [f for f in files if (got := sent.get(_logged_name(plan, f))) is not None and got.sha256 == f.sha256]
    rest = [f for f in files if f not in already]
    return (rest, already) if rest else (files, [])


def _logged_name(plan: SendPlan, file: File) -> str:
    """How the send log names a file: its path in packets/MEETING/."""
    return file.path.relative_to(plan.packet_folder).as_posix()


def _message(plan: SendPlan, texts: Templates, base: dict, index: int, recipient: Recipient,
             files: list[File], already: list[File] | None = None) -> Message:
    context = {
        **base,
        "mottagare": {"namn": recipient.name or recipient.label, "epost": recipient.address},
        "bilagor": [f.filename for f in files],
        "lankar": [],
    }
    if plan.what == "utdrag":
        context["paragrafer"] = list(paragraphs_of(files))
        context["paragrafer_text"] = paragraph_text(paragraphs_of(files))
    subject, body = texts.render(plan.what, context)
    message = Message(index, recipient, subject, body, files, link=False, already=list(already or []))
    message.size = len(plan.build(message))
    if message.size > plan.settings.size_limit and plan.settings.link:
        context["lankar"] = _links(plan, files)
        message.subject, message.body = texts.render(plan.what, context)
        message.link = True
        message.size = len(plan.build(message))
    return message


# ------------------------------------------------------------------ checks


def _check_sizes(plan: SendPlan) -> None:
    limit = plan.settings.size_limit
    too_big = [m for m in plan.messages if m.size > limit]
    if not too_big:
        return
    biggest = max(too_big, key=lambda m: m.size)
    files = ", ".join(display_path(f.path) for f in biggest.files)
    head = "Ett meddelande blir för stort" if len(too_big) == 1 else f"{len(too_big)} meddelanden blir för stora"
    where = display_path(plan.settings.source) if plan.settings.source else f"sources/{SETTINGS_FILE}"
    raise SendError(
        f"{head} att skicka: {megabytes(biggest.size)} med bilagor "
        f"(gränsen är {megabytes(limit)}; bilagorna blir en tredjedel större i e-post). "
        f"Största: till {biggest.shown_recipient} ({files}). {NOTHING_SENT}\n"
        "Gör något av detta och kör sedan kommandot igen:\n"
        "  - gör PDF:en mindre, till exempel genom att spara skannade bilagor med lägre upplösning, "
        f"och bygg om den (make packet DATE={plan.meeting.id});\n"
        "  - dela upp handlingarna och skicka de största separat;\n"
        f"  - publicera filen och ange adressen som 'länk:' i {where} (eller i {ENV_PUBLIC_URL}); då skickas "
        "länken i stället för bilagan;\n"
        f"  - eller höj 'storleksgräns:' i {where} om er e-postserver tar emot större meddelanden."
    )


def _mark_sent(plan: SendPlan) -> None:
    if plan.what == "utdrag":
        _mark_sent_files(plan)
        return
    sent = plan.ledger.read()
    for message in plan.messages:
        entry = sent.get((plan.what, message.recipient.key))
        message.previous = entry
        if entry is None:
            message.status = NEW
        elif entry.fingerprint == message.fingerprint:
            message.status = SENT
        else:
            message.status = CHANGED


def _mark_sent_files(plan: SendPlan) -> None:
    """Protokollsutdrag, file by file: sent when each of its files went to the address as it is now;
    changed when one of them went there in another version; new otherwise."""
    sent = plan.ledger.files_sent(plan.what)
    for message in plan.messages:
        got = sent.get(message.recipient.key, {})
        earlier = [(f, got[_logged_name(plan, f)]) for f in message.files if _logged_name(plan, f) in got]
        message.previous = max((s.entry for _, s in earlier), key=lambda e: e.time, default=None)
        if earlier and len(earlier) == len(message.files) and all(f.sha256 == s.sha256 for f, s in earlier):
            message.status = SENT
        elif any(f.sha256 != s.sha256 for f, s in earlier):
            message.status = CHANGED
        else:
            message.status = NEW


def immediate_note(plan: SendPlan) -> str:
    """What a send of utdrag before the justering sends, and what it leaves for later."""
    span = compose.paragraph_text(plan.immediate_only)
    return (f"Protokollet är inte justerat än. Bara utdragen för det som justerades omedelbart vid sammanträdet "
            f"({span}) skickas nu; de andra skickas när protokollet är justerat och make protokoll har körts igen.")


# ================================================================ preview


def write_previews(plan: SendPlan) -> Path:
    """The dry run: every message as a .eml file in packets/MEETING/utskick/WHAT/ (replaced as a whole)."""
    root = plan.packet_folder / FOLDER
    work = root / f".{plan.what}.ny"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        for message in plan.messages:
            safe = re.sub(r"[^A-Za-z0-9._@+-]", "_", message.recipient.address)
            (work / f"{message.index:02d}-{safe}.eml").write_bytes(plan.build(message))
        publish(root, {plan.what: work})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return root / plan.what


# ================================================================ deliver


@dataclass
class Report:
    sent: list[Message] = field(default_factory=list)
    refused: list[tuple[Message, Outcome]] = field(default_factory=list)
    not_sent: list[Message] = field(default_factory=list)  # not tried: the connection was lost
    stopped: tuple[Message, Outcome] | None = None  # the message during which the connection was lost
    already: list[Message] = field(default_factory=list)  # sent in an earlier run, unchanged

    @property
    def complete(self) -> bool:
        return not self.refused and not self.not_sent and self.stopped is None


Progress = Callable[[Message, Outcome], None]


def check_ready(plan: SendPlan, again: bool) -> None:
    """Everything that must hold before a real send; raises with what to do."""
    if plan.what in ("protokoll", "utdrag") and not plan.adjusted and not plan.immediate_only:
        raise SendError(f"Protokollet för {plan.meeting.id} är inte justerat än, så varken protokollet eller "
                        "protokollsutdragen får skickas. När det är justerat: skriv 'justerat: ja' i protokollets "
                        f"källfil, kör make protokoll DATE={plan.meeting.id} och skicka sedan. {NOTHING_SENT}")
    changed = [m for m in plan.messages if m.status == CHANGED]
    if changed and not again:
        names = "\n".join(f"  - {m.shown_recipient} (skickat {sent_at(m.previous)})" for m in changed[:10])
        more = f"\n  … och {len(changed) - 10} till" if len(changed) > 10 else ""
        files = ", ".join(sorted({display_path(f.path) for m in changed for f in m.files}))
        raise SendError(
            f"{files} har ändrats sedan {plan.what} skickades till {len(changed)} mottagare:\n{names}{more}\n"
            f"De har alltså fått en äldre version. Vill du skicka den nya versionen till dem, kör igen med "
            f"--igen (make send DATE={plan.meeting.id} WHAT={plan.what} SKARPT=1 IGEN=1). {NOTHING_SENT}")


def check_settings(settings: Settings) -> None:
    where = f"sources/{SETTINGS_FILE}"
    if not settings.host:
        raise SendError(f"Ingen e-postserver är angiven. Skriv 'server:' i {where} eller sätt "
                        f"MEETINGDOCS_SMTP_HOST. {NOTHING_SENT}")
    if settings.user and not settings.password:
        raise SendError(f"Användaren '{settings.user}' är angiven men inget lösenord. Sätt lösenordet i "
                        f"miljövariabeln {ENV_PASSWORD} (det står aldrig i någon fil). {NOTHING_SENT}")
    if settings.password and not settings.user:
        raise SendError(f"Ett lösenord finns i {ENV_PASSWORD} men ingen användare. Skriv 'användare:' i {where} "
                        f"eller sätt {ENV_USER}. {NOTHING_SENT}")
    if settings.password and settings.security == "ingen":
        raise SendError("Lösenordet skickas aldrig okrypterat. Välj 'säkerhet: starttls' (eller ssl) i "
                        f"{where}. {NOTHING_SENT}")


def deliver(plan: SendPlan, *, again: bool = False, progress: Progress | None = None) -> Report:
    """Send what has not been sent; log each accepted message before sending the next."""
    check_ready(plan, again)
    report = Report(already=[m for m in plan.messages if m.status == SENT])
    if not plan.pending(again):
        return report
    check_settings(plan.settings)
    ledger = plan.ledger
    with ledger.locked():
        _mark_sent(plan)  # another run may have finished in the meantime
        check_ready(plan, again)
        report.already = [m for m in plan.messages if m.status == SENT]
        pending = plan.pending(again)
        if not pending:
            return report
        connection = Connection(plan.settings)
        connection.open()
        try:
            _check_server_size(plan, connection, pending)
            for position, message in enumerate(pending):
                message_id = compose.new_message_id(plan.sender.addr_spec)
                data = plan.build(message, message_id)
                with signals_held():  # Ctrl-C or kill acts once this message is sent and logged, never between
                    outcome = connection.send(plan.sender.addr_spec, message.recipient.address, data)
                    if outcome.accepted:
                        ledger.append(_record(plan, message, message_id, len(data)))
                if outcome.accepted:
                    report.sent.append(message)
                elif outcome.fatal:
                    report.stopped = (message, outcome)
                    report.not_sent = pending[position + 1:]
                else:
                    report.refused.append((message, outcome))
                if progress is not None:
                    progress(message, outcome)
                if report.stopped is not None:
                    break
        finally:
            connection.close()
    return report


def _check_server_size(plan: SendPlan, connection: Connection, pending: list[Message]) -> None:
    limit = connection.max_size()
    if not limit:
        return
    too_big = [m for m in pending if m.size > limit]
    if too_big:
        biggest = max(m.size for m in too_big)
        raise SendError(f"E-postservern tar bara emot meddelanden upp till {megabytes(limit)}, men "
                        f"{count(len(too_big))} är upp till {megabytes(biggest)}. Sätt 'storleksgräns:' i "
                        f"sources/{SETTINGS_FILE} till högst {limit / MEGABYTE:.1f} och kör igen, så får du "
                        f"råd om vad du kan göra. {NOTHING_SENT}")


def _record(plan: SendPlan, message: Message, message_id: str, size: int) -> dict:
    settings = plan.settings
    return {
        "vad": plan.what,
        "mottagare": message.recipient.address,
        "namn": message.recipient.name or message.recipient.label,
        "message_id": message_id,
        "tid": now().isoformat(),
        "ämne": message.subject,
        "bilagor": [
            {"fil": f.path.relative_to(plan.packet_folder).as_posix(), "namn": f.filename, "sha256": f.sha256}
            for f in message.files
        ],
        "länk": message.link,
        "storlek": size,
        "server": f"{settings.host}:{settings.effective_port}",
    }


def sent_at(entry: Entry | None) -> str:
    if entry is None or not entry.time:
        return "tidigare"
    try:
        return dt.datetime.fromisoformat(entry.time).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return entry.time
