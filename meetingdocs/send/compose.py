"""The messages: templates, safe headers, attachment names.

Each template in ``templates/epost/`` (or ``templates/<nämnd>/epost/``) is a
text file whose first line is ``Ämne: …`` and whose remaining lines are the
body. Both parts are rendered separately by a sandboxed Jinja environment:
values from the sources are inserted as text and never evaluated again, and
a value can never move from the body into a header.

Every text that can reach a header is checked first (``headers.problem``:
line breaks and control characters, also inside RFC 2047 encoded words),
every address with ``check_address``. The message is an
``email.message.EmailMessage`` with ``policy.SMTP``, but the header texts are
encoded by ``headers`` (see there why), and every message is read back
before it is written or sent (``readback.check``).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import email.errors
import email.utils
import logging
import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Problem
from . import headers, readback
from .errors import SendSourceError, UnsafeMessageError
from .headers import problem, shown, unsafe

log = logging.getLogger(__name__)

TEMPLATE_DIR = "epost"
SUBJECT_PREFIX = re.compile(r"^\s*(ämne|amne|subject)\s*:\s*", re.I)
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|]')


# ------------------------------------------------------------ addresses


def check_address(address: str) -> str | None:
    """Why ``address`` cannot be used as an e-mail address, or None."""
    if not address:
        return "adressen är tom."
    if unsafe(address) or any(c.isspace() for c in address):
        return f"adressen '{shown(address)}' innehåller mellanslag, radbrytning eller styrtecken."
    if not address.isascii():
        return (f"adressen '{address}' innehåller tecken utanför a–z (till exempel å, ä eller ö), "
                "vilket e-postservrar inte klarar. Kontrollera stavningen.")
    if len(address) > 254:
        return f"adressen '{address[:40]}…' är för lång."
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, TypeError, email.errors.MessageError) as exc:
        log.debug("address %r rejected: %s", address, exc)
        return f"'{address}' är ingen giltig e-postadress (namn@exempel.se)."
    labels = parsed.domain.split(".")
    if (not parsed.username or len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or email.utils.parseaddr(address)[1] != address):
        return f"'{address}' är ingen giltig e-postadress (namn@exempel.se)."
    return None


def parse_sender(text: str) -> tuple[str, str]:
    """``Namn <adress>`` or ``adress`` -> (display name, address)."""
    name, address = email.utils.parseaddr(text)
    if not address and "@" not in text:
        return "", text
    return name.strip(), address.strip()


# ------------------------------------------------------------ names


def date_text(day: dt.date) -> str:
    """``fredag 11 december 2020``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def paragraph_text(paragraphs: list[int] | tuple[int, ...]) -> str:
    """``§ 44`` or ``§§ 44, 46``."""
    numbers = ", ".join(str(p) for p in paragraphs)
    return f"§§ {numbers}" if len(paragraphs) > 1 else f"§ {numbers}"


def attachment_name(what: str, short_name: str, day: dt.date, paragraphs: tuple[int, ...] = ()) -> str:
    """The file name the recipient sees: ``Kallelse GNS 2020-12-11.pdf``."""
    base = {"kallelse": "Kallelse", "protokoll": "Protokoll", "utdrag": "Protokollsutdrag"}[what]
    name = f"{base} {short_name} {day.isoformat()}"
    if what == "utdrag" and paragraphs:
        name += " " + paragraph_text(paragraphs)
    name = _FILENAME_BAD.sub("-", "".join(" " if unsafe(c) else c for c in name))
    return re.sub(r"\s+", " ", name).strip() + ".pdf"


# ------------------------------------------------------------ templates


@dataclass(frozen=True)
class Template:
    path: Path
    subject: jinja2.Template
    body: jinja2.Template


class Templates:
    """The e-mail templates of one committee, loaded on first use."""

    def __init__(self, root: Path, committee_key: str):
        self.root = root
        self.committee_key = committee_key
        self.env = SandboxedEnvironment(
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._loaded: dict[str, Template] = {}

    def path_for(self, what: str) -> Path:
        own = self.root / self.committee_key / TEMPLATE_DIR / f"{what}.txt"
        return own if own.is_file() else self.root / TEMPLATE_DIR / f"{what}.txt"

    def load(self, what: str) -> Template:
        if what in self._loaded:
            return self._loaded[what]
        path = self.path_for(what)
        try:
            text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        except FileNotFoundError:
            raise SendSourceError([Problem(path, "e-postmallen saknas. Lägg tillbaka filen (se README.md, avsnittet 'E-posttexterna').")])
        except UnicodeDecodeError:
            raise SendSourceError([Problem(path, "mallen är inte sparad som UTF-8. Spara den som UTF-8.")])
        first, _, rest = text.partition("\n")
        match = SUBJECT_PREFIX.match(first)
        if match is None:
            raise SendSourceError([Problem(path, "första raden i mallen ska vara ämnesraden och börja med "
                                                 "'Ämne:', till exempel 'Ämne: Kallelse {{ kortnamn }} {{ datum }}'.",
                                           line=1)])
        try:
            subject = self.env.from_string(first[match.end():])
            body = self.env.from_string("\n" + rest)  # keeps the line numbers of the file
        except jinja2.TemplateSyntaxError as exc:
            raise SendSourceError([Problem(path, f"mallen har ett syntaxfel: {exc.message}. Kontrollera "
                                                 "{{ }} och {% %} på raden.", line=exc.lineno)]) from None
        template = Template(path, subject, body)
        self._loaded[what] = template
        return template

    def render(self, what: str, context: dict[str, Any]) -> tuple[str, str]:
        """(subject, body) for one message."""
        template = self.load(what)
        try:
            subject = template.subject.render(context)
            body = template.body.render(context)
        except jinja2.UndefinedError as exc:
            names = ", ".join(sorted(context))
            raise SendSourceError([Problem(template.path, f"mallen använder något som inte finns ({exc.message}). "
                                                          f"Det som finns är: {names}.")]) from None
        except jinja2.TemplateError as exc:
            raise SendSourceError([Problem(template.path, f"mallen går inte att använda: {exc}")]) from None
        reason = problem(subject)
        if reason:
            raise SendSourceError([Problem(template.path, _subject_problem(subject, reason, context), line=1)])
        subject = headers.one_line(subject)
        if not subject:
            raise SendSourceError([Problem(template.path, "ämnesraden blir tom. Skriv ett ämne efter 'Ämne:'.",
                                           line=1)])
        body = body.lstrip("\n").rstrip() + "\n"
        return subject, body


def _subject_problem(subject: str, reason: str, context: dict[str, Any]) -> str:
    """What is wrong with the subject line, naming the value that brought the problem in, if one did."""
    culprits = [name for name, value in _texts(context) if value and value in subject and problem(value)]
    where = (f" Det kommer från {{{{ {culprits[0]} }}}}; rätta värdet i källfilen eller ta bort det från ämnesraden."
             if culprits else " Ämnet är första raden i mallen, efter 'Ämne:'.")
    return f"ämnesraden '{shown(subject)}' {reason}{where}"


def _texts(value: Any, name: str = "") -> list[tuple[str, str]]:
    """Every text in a template context, with its name as the template writes it (``mottagare.namn``)."""
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in _texts(item, f"{name}.{key}" if name else key)]
    if isinstance(value, (list, tuple)):
        return [t for i, item in enumerate(value) for t in _texts(item, f"{name}[{i}]")]
    return []


# ------------------------------------------------------------ messages


class Part:
    """One attachment: the name the recipient sees, the bytes and their base64 form.

    The base64 form is computed once per file and spliced into every message
    (see ``message_bytes``): the ``email`` generator needs about half a second
    per 10 MB, per message, for what is the same text in every message.
    """

    def __init__(self, filename: str, data: bytes):
        self.filename = filename
        self.data = data

    @functools.cached_property
    def encoded(self) -> bytes:
        # The same lines as email.contentmanager: 57 bytes -> 76 characters, CRLF as policy.SMTP writes.
        return base64.encodebytes(self.data).replace(b"\n", b"\r\n")


def build_message(*, sender: Address, reply_to: Address | None, to: Address, subject: str, body: str,
                  parts: list[Part], message_id: str, date: dt.datetime) -> EmailMessage:
    """The message; every header text is checked again and encoded by ``headers``."""
    names = [a.display_name for a in (sender, reply_to, to) if a is not None]
    for value in (subject, *names, *(p.filename for p in parts)):
        reason = problem(value)
        if reason:  # checked long before, with the file and field; this is the last line of defence
            raise UnsafeMessageError(to.addr_spec, [f"'{shown(value)}' {reason}"])
    message = EmailMessage(policy=SMTP)
    message["From"] = headers.address_header("From", sender)
    message["To"] = headers.address_header("To", to)
    if reply_to is not None:
        message["Reply-To"] = headers.address_header("Reply-To", reply_to)
    message["Subject"] = headers.subject_header(subject)
    message["Date"] = email.utils.format_datetime(date)
    message["Message-ID"] = message_id
    message.set_content(body, cte="quoted-printable")
    message["Content-Language"] = "sv"  # after set_content, which clears the Content-* headers
    if parts:
        message.make_mixed()
    for part in parts:
        message.attach(_attachment(part))
    return message


def _attachment(part: Part) -> MIMEPart:
    attachment = MIMEPart(policy=SMTP)
    attachment.set_content(part.data, maintype="application", subtype="pdf")
    attachment["Content-Disposition"] = headers.disposition_header(part.filename)
    return attachment


def message_bytes(*, parts: list[Part], **fields: Any) -> bytes:
    """The message as sent: ``build_message`` read back by ``readback.check``, each attachment spliced in.

    The message is first built with a short random stand-in per attachment,
    and checked; each stand-in's single base64 line is then replaced by the
    real file's base64 lines.
    """
    stand_ins = [Part(part.filename, secrets.token_bytes(30)) for part in parts]
    built = build_message(parts=stand_ins, **fields)
    raw = built.as_bytes()
    meant = readback.Meant(fields["sender"], fields["reply_to"], fields["to"], headers.one_line(fields["subject"]),
                           tuple(part.filename for part in parts))
    readback.check(raw, built, meant)
    for part, stand_in in zip(parts, stand_ins):
        token = b"\r\n" + base64.b64encode(stand_in.data) + b"\r\n"
        if raw.count(token) != 1:
            raise RuntimeError("attachment stand-in not found exactly once")
        raw = raw.replace(token, b"\r\n" + part.encoded)
    return raw


def new_message_id(sender_address: str) -> str:
    domain = sender_address.rpartition("@")[2] or "localhost"
    return email.utils.make_msgid(idstring="namnd", domain=domain)
