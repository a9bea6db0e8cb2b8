"""The last line of defence: each message is read back before it is written or sent.

``check`` parses the bytes of a built message the way a receiving program
would and compares them with what the tool meant to write: the same header
lines in every part (so nothing injected one of its own), exactly one
address in From, To and Reply-To, the intended one, and the display names,
the subject and the attachment names as the sources had them (after
``headers.one_line``). The message is parsed with ``policy.compat32``, which
keeps each header as written; the address headers are then parsed by
``email.headerregistry`` (as ``policy.default`` would, at a fraction of the
cost of parsing the whole message that way). Display names and the subject
are decoded by the RFC 2047 rules (``email.header``): Python 3.11's
``headerregistry`` puts a space between two encoded words of a display name,
which a mail program does not.
"""

from __future__ import annotations

import email
import email.header
import logging
import email.message
import email.policy
import email.utils
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

from .errors import UnsafeMessageError
from .headers import ascii_name, one_line, unfold

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Meant:
    """What a message should carry, as the tool built it."""

    sender: Address
    reply_to: Address | None
    to: Address
    subject: str
    filenames: tuple[str, ...]


def check(raw: bytes, built: EmailMessage, meant: Meant) -> None:
    """Raise ``UnsafeMessageError`` unless ``raw`` reads back as ``meant``."""
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    differences = [
        *header_lines(raw, list(built.keys())),
        *header_names(parsed, built),
        *addresses(parsed, meant),
        *subject(parsed, meant.subject),
        *filenames(parsed, meant.filenames),
    ]
    if differences:
        log.error("Det som skilde: %s", "; ".join(differences))
        raise UnsafeMessageError(meant.to.addr_spec, differences)


def rfc2047(text: str) -> str:
    """A header text decoded as RFC 2047 says: white space between two encoded words is not shown."""
    return str(email.header.make_header(email.header.decode_header(text)))


def raw_value(message: email.message.Message, name: str) -> str | None:
    """The header as it stands in the message, folded lines joined."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return unfold(str(value))
    return None


def header_lines(raw: bytes, names: list[str]) -> list[str]:
    """The top-level header block, byte by byte: CRLF only, ASCII only, and exactly ``names``."""
    block = raw.split(b"\r\n\r\n", 1)[0]
    if b"\r" in block.replace(b"\r\n", b"") or b"\n" in block.replace(b"\r\n", b""):
        return ["a bare CR or LF in the header"]
    if not block.isascii():
        return ["8-bit bytes in the header"]
    found = [line.split(b":", 1)[0].decode("ascii") for line in block.split(b"\r\n") if line[:1] not in (b" ", b"\t")]
    return [] if found == names else [f"header lines {found}, meant {names}"]


def header_names(parsed: email.message.Message, built: EmailMessage) -> list[str]:
    """Every part has the headers the tool gave it, in the same order."""
    got, meant = list(parsed.walk()), list(built.walk())
    if len(got) != len(meant):
        return [f"{len(got)} MIME parts, meant {len(meant)}"]
    return [f"part {i}: headers {list(g.keys())}, meant {list(m.keys())}"
            for i, (g, m) in enumerate(zip(got, meant)) if list(g.keys()) != list(m.keys())]


def addresses(parsed: email.message.Message, meant: Meant) -> list[str]:
    result = []
    for name, address in (("From", meant.sender), ("To", meant.to), ("Reply-To", meant.reply_to)):
        if address is None:
            continue
        value = raw_value(parsed, name) or ""
        found = [a.addr_spec for a in email.policy.default.header_factory(name, value).addresses]
        pairs = email.utils.getaddresses([value])
        if found != [address.addr_spec] or [a for _, a in pairs] != [address.addr_spec]:
            result.append(f"{name}: {found}, meant [{address.addr_spec}]")
            continue
        display = rfc2047(pairs[0][0])
        if display != one_line(address.display_name):
            result.append(f"{name}: display name {display!r}, meant {one_line(address.display_name)!r}")
    return result


def subject(parsed: email.message.Message, meant: str) -> list[str]:
    value = raw_value(parsed, "Subject")
    if value is None:
        return ["no Subject"]
    shown = rfc2047(value)
    if shown != meant or str(email.policy.default.header_factory("Subject", value)) != meant:
        return [f"Subject {shown!r}, meant {meant!r}"]
    return []


def attachment_names(part: email.message.Message) -> tuple[str | None, str | None]:
    """(``filename=``, ``filename*=`` decoded) of one part's Content-Disposition."""
    plain = extended = None
    for name, value in part.get_params([], header="content-disposition")[1:]:  # compat32: both forms
        if name != "filename":
            continue
        if isinstance(value, tuple):
            extended = email.utils.collapse_rfc2231_value(value)
        else:
            plain = value
    return plain, extended


def filenames(parsed: email.message.Message, meant: tuple[str, ...]) -> list[str]:
    found = [attachment_names(p) for p in parsed.walk() if p.get_content_disposition() == "attachment"]
    wanted = [(ascii_name(f), None if ascii_name(f) == f else f) for f in meant]
    return [] if found == wanted else [f"attachment names {found}, meant {wanted}"]
