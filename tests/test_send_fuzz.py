"""Property-based tests of the e-mail headers: no text from the sources adds a header or a recipient.

Every text that reaches a header (the display names in From, To and
Reply-To, the subject, the attachment's file name) is drawn from arbitrary
Unicode mixed with what a hostile source would try: CR, LF, folded lines,
Unicode line separators, bidi overrides, RFC 2047 encoded words that decode
to line breaks, address-like text and RFC 5322 specials. For each text
either the tool's check (``headers.problem``) refuses it, for one of the
documented reasons, and building a message with it fails; or the built
message, parsed back, has exactly the expected headers in every part, exactly
one To address (the intended one) and the text exactly as written, after the
documented normalisation (``one_line``: runs of whitespace become one space,
none at either end).

The checks here are written independently of meetingdocs.send.readback.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.header
import email.policy
import email.utils
import re
import unicodedata
from email.headerregistry import Address

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from meetingdocs.send import compose, headers
from meetingdocs.send.errors import UnsafeMessageError
from test_send_support import attachment_names

TO = "mottagare@example.org"
LONG_TO = "ann-marie.johansson-lindqvist.ordforande@gemensam-namnd.region.example.org"
SENDER = "sekreterare@example.org"
REPLY_TO = "registrator@example.org"
PDF = b"%PDF-1.4\n%\xe5\xe4\xf6\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DATE = dt.datetime(2020, 12, 4, 10, 15, tzinfo=dt.timezone.utc)

TOP_HEADERS = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
BODY_HEADERS = ["Content-Type", "Content-Transfer-Encoding", "Content-Language"]
ATTACHMENT_HEADERS = ["Content-Type", "Content-Transfer-Encoding", "Content-Disposition"]
RECIPIENT_HEADERS = ("to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc")

BIDI_OVERRIDES = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def b64_word(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode()}?="


HOSTILE = [
    "\r", "\n", "\r\n", "\r\n ", "\r\n\t", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\t", "\x00", "\x7f",
    "\u202e", "\u2066",
    "=?utf-8?q?Robert=0D=0ABcc:_x@example.org?=", b64_word("Robert\r\nBcc: x@example.org"),
    b64_word("R\u2028Bcc: x@example.org"), "=?iso-8859-1?q?=E5=0A?=", b64_word("a\nb", "utf-16"),
    "=?utf-8?q?Robert?=", "=?utf-8?q?", "?=", "=?", "=0D=0A", "Bcc: x@example.org",
    '"', "\\", "(", ")", "<", ">", ",", ";", ":", "@", ".", "[", "]", "'", "=", "?", "%", "*",
    "å", "Ö", "§", "–", " ", "   ", "\u00a0", "\u3000", "\u0301", "\ufeff", "x" * 70, "Å" * 30,
    "evil@example.org", "<evil@example.org>", ", evil@example.org", '"a, b" <evil@example.org>',
    "Robert Hamberg", "Protokollsutdrag GNS 2020-12-11 § 44", "Ann-Marie Öberg-Lindqvist (S)",
]
pieces = st.one_of(st.text(max_size=6), st.sampled_from(HOSTILE), st.characters(min_codepoint=0xD800,
                                                                               max_codepoint=0xDFFF))
texts = st.lists(pieces, max_size=10).map("".join)

PLAIN_ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZåäöÅÄÖéüÉÜøæ0123456789"
                  " -'.,()\"&§/:;@<>[]!#%+")
plain_texts = st.text(alphabet=PLAIN_ALPHABET, max_size=120)


# ------------------------------------------------------------- the oracle


def documented_refusal(text: str) -> bool:
    """The reasons the README gives: a line break or control character, or text like =?…?=."""
    return (any(unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") or c in BIDI_OVERRIDES for c in text)
            or re.search(r"=\?.*?\?=", text, re.S) is not None)


def rfc2047(text: str) -> str:
    """Decoded as RFC 2047 says (white space between two encoded words is not shown)."""
    return str(email.header.make_header(email.header.decode_header(text)))


def unfolded(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def raw_header(message, name: str) -> str:
    (value,) = [str(v) for k, v in message.raw_items() if k.lower() == name.lower()]
    return unfolded(value)


def header_names_in_bytes(raw: bytes) -> list[str]:
    block = raw.split(b"\r\n\r\n", 1)[0]
    assert block.isascii()
    assert b"\r" not in block.replace(b"\r\n", b"") and b"\n" not in block.replace(b"\r\n", b"")
    return [line.split(b":", 1)[0].decode() for line in block.split(b"\r\n") if line[:1] not in (b" ", b"\t")]


def build(*, to_name: str, sender_name: str, reply_name: str, subject: str, filename: str, to: str = TO) -> bytes:
    return compose.message_bytes(
        sender=Address(display_name=sender_name, addr_spec=SENDER),
        reply_to=Address(display_name=reply_name, addr_spec=REPLY_TO),
        to=Address(display_name=to_name, addr_spec=to), subject=subject, body="Hej!\n",
        parts=[compose.Part(filename, PDF)], message_id="<1.namnd@example.org>", date=DATE)


def assert_exactly_as_meant(raw: bytes, *, to: str, names: dict[str, str], subject: str, filename: str) -> None:
    assert header_names_in_bytes(raw) == TOP_HEADERS
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body, attachment = message.iter_parts()
    assert [list(m.keys()) for m in (message, body, attachment)] == [TOP_HEADERS, BODY_HEADERS, ATTACHMENT_HEADERS]
    assert len(list(message.walk())) == 3

    # Exactly one recipient, the intended one, however a program reads the recipient headers.
    legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
    everyone = email.utils.getaddresses([v for name in RECIPIENT_HEADERS for v in legacy.get_all(name, [])])
    assert [address for _, address in everyone] == [to]
    assert [a.addr_spec for a in message["To"].addresses] == [to]

    for header, address in (("From", SENDER), ("To", to), ("Reply-To", REPLY_TO)):
        assert [a.addr_spec for a in message[header].addresses] == [address]
        ((display, spec),) = email.utils.getaddresses([raw_header(message, header)])
        assert spec == address
        assert rfc2047(display) == headers.one_line(names[header])

    assert str(message["Subject"]) == headers.one_line(subject)
    assert rfc2047(raw_header(message, "Subject")) == headers.one_line(subject)

    plain, extended = attachment_names(attachment)
    assert plain is not None and plain.isascii() and plain.isprintable() and "=?" not in plain
    assert (extended or plain) == filename
    assert attachment.get_content() == PDF
    assert body.get_content().replace("\r\n", "\n") == "Hej!\n"


# ---------------------------------------------------------------- properties


@pytest.mark.fuzz
@given(to_name=texts, sender_name=texts, reply_name=texts, subject=texts, filename=texts, long_to=st.booleans())
def test_any_header_text_is_refused_or_arrives_exactly_as_written(to_name, sender_name, reply_name, subject,
                                                                   filename, long_to):
    values = {"To": to_name, "From": sender_name, "Reply-To": reply_name, "Subject": subject, "filename": filename}
    fallback = {"To": "Robert Hamberg", "From": "Jessica Hådell", "Reply-To": "", "Subject": "Kallelse",
                "filename": "Kallelse GNS 2020-12-11.pdf"}
    for field, value in values.items():
        if headers.problem(value) is not None:
            assert documented_refusal(value), f"{value!r} refused for no documented reason"
            with pytest.raises((UnsafeMessageError, ValueError)):  # ValueError: Address() refuses CR and LF
                build(**_fields({**fallback, field: value}))
            values[field] = fallback[field]
        else:
            assert not documented_refusal(value), f"{value!r} should have been refused"
    assume(values["filename"].strip())
    to = LONG_TO if long_to else TO
    raw = build(**_fields(values), to=to)
    assert_exactly_as_meant(raw, to=to, names=values, subject=values["Subject"], filename=values["filename"])


@pytest.mark.fuzz
@given(name=plain_texts, subject=plain_texts, filename=plain_texts.map(lambda t: t + ".pdf"))
def test_ordinary_names_and_subjects_are_never_refused(name, subject, filename):
    """Letters with åäö, digits, punctuation and RFC 5322 specials: always accepted, always exact."""
    for value in (name, subject, filename):
        assert headers.problem(value) is None
    values = {"To": name, "From": name, "Reply-To": name}
    raw = build(to_name=name, sender_name=name, reply_name=name, subject=subject, filename=filename)
    assert_exactly_as_meant(raw, to=TO, names=values, subject=subject, filename=filename)


def _fields(values: dict[str, str]) -> dict[str, str]:
    return {"to_name": values["To"], "sender_name": values["From"], "reply_name": values["Reply-To"],
            "subject": values["Subject"], "filename": values["filename"]}
