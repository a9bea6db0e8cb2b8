"""Texts in e-mail headers: which may go there, and how they are written.

Names, the subject and attachment names come from the secretary's sources.
``problem`` checks such a text the way a mail program reads it: folded lines
joined and RFC 2047 encoded words (``=?utf-8?q?…?=``, q or b, any charset)
decoded. Refused are line breaks of every kind (CR, LF, VT, FF, U+0085,
U+2028, U+2029), other control characters, bidi overrides and lone
surrogates, and any text that looks like an encoded word: the name
``=?utf-8?q?Robert=0D=0ABcc:_x@example.org?=`` would otherwise reach the
recipient as a ``Bcc:`` header of its own.

The texts that pass are encoded here, not by the ``email`` package's folder.
Python 3.11's folder re-parses a header value (and so decodes encoded words
in it), drops the space between encoded words ("Öberg Åre Åre" arrives as
"Öberg ÅreÅre") and loses the quotes of a long quoted display name, which
changes the addresses in To. Here a text is either printable ASCII, written
as it is (a display name quoted where RFC 5322 needs it), or encoded whole as
base64 encoded words of at most 68 characters. A header is folded only
between two of its tokens, so unfolding gives back exactly what was written.
Attachments get ``filename="…"`` in ASCII for older mail programs and
``filename*=utf-8''…`` (RFC 2231) with the exact name, in that order
(RFC 6266, appendix D).

The one normalisation: runs of whitespace become one space, and whitespace at
either end is removed (``one_line``).
"""

from __future__ import annotations

import base64
import email.errors
import email.policy
import re
import unicodedata
from email.headerregistry import Address
from urllib.parse import quote

LINE_LENGTH = 78  # RFC 5322: a line SHOULD have at most 78 characters
TOKEN_LENGTH = 68  # "Reply-To: " + a token of 68 is 78
EW_BYTES = 42  # UTF-8 bytes per encoded word: 56 base64 characters, 68 in all (RFC 2047 allows 75)
FALLBACK_LENGTH = 150  # characters of the ASCII file name, before ".pdf"
ENCODED_WORD = re.compile(r"=\?.*?\?=", re.S)  # anything a mail program could take for an encoded word
LINE_BREAK_CATEGORIES = ("Cc", "Zl", "Zp", "Cs")  # controls (CR, LF, VT, FF, U+0085 …), U+2028, U+2029, surrogates
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SPECIALS = frozenset('()<>[]:;@\\,."')  # RFC 5322: a display name with one of these is quoted
DECODE_ROUNDS = 3  # an encoded word can hide another one
ASCII_FOR = {"§§": "par", "§": "par", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
             "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L", "–": "-", "—": "-",
             "‘": "'", "’": "'", "“": "'", "”": "'", "«": "'", "»": "'", '"': "'", "\\": "-"}
_ASCII_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(ASCII_FOR, key=len, reverse=True)))


# ------------------------------------------------------------ checks


def unsafe(text: str) -> bool:
    """True when ``text`` holds a line break, another control character, a bidi override or a surrogate."""
    return any(unicodedata.category(c) in LINE_BREAK_CATEGORIES or c in BIDI_CONTROLS for c in text)


def shown(text: str) -> str:
    """A value with its invisible characters made visible, for error messages."""
    return text if text.isprintable() else repr(text)[1:-1]


def one_line(text: str) -> str:
    """The documented normalisation: runs of whitespace become one space; none at either end."""
    return " ".join(text.split())


def unfold(value: str) -> str:
    """A header value as a receiving program reads it: folded lines joined (RFC 5322 2.2.3)."""
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def decoded(text: str) -> str:
    """``text`` as a mail program shows it: folded lines joined, encoded words decoded (repeatedly)."""
    for _ in range(DECODE_ROUNDS):
        unfolded = unfold(text)
        try:
            result = str(email.policy.default.header_factory("X-Check", unfolded))
        except (ValueError, LookupError, email.errors.MessageError):
            return text
        if result == text:
            break
        text = result
    return text


def problem(text: str) -> str | None:
    """Why ``text`` cannot stand in an e-mail header, in Swedish with the fix; None when it can.

    The sentence continues a subject, as in ``namnet 'X' <problem>``.
    """
    if unsafe(text):
        return ("innehåller en radbrytning eller ett annat osynligt styrtecken, som inte får stå i ett "
                "e-posthuvud. Skriv texten på en rad, utan radbrytningar, tabbar eller andra osynliga tecken.")
    plain = decoded(text)
    fix = "Skriv texten som vanlig text, utan '=?' och '?='; å, ä och ö går bra, utskicket kodar dem självt."
    if plain != text and unsafe(plain):
        return (f"är kodad e-posttext (=?…?=) som ett e-postprogram avkodar till '{shown(plain)}', med en "
                "radbrytning eller ett styrtecken; i e-posthuvudet skulle det kunna bli en ny rad, till exempel "
                f"en extra mottagare. {fix}")
    if ENCODED_WORD.search(text):
        readable = plain != text and plain.strip() and not ENCODED_WORD.search(plain)
        meant = f" Avkodad blir den '{shown(plain)}'; skriv i så fall det." if readable else ""
        return (f"ser ut som kodad e-posttext (=?…?=), som e-postprogram avkodar i stället för att visa den."
                f"{meant} {fix}")
    return None


# ------------------------------------------------------------ encoding


class FoldedHeader(str):
    """A header the tool encoded itself: ``str()`` is the text, ``fold`` writes the tokens.

    The email package keeps a value whose ``name`` matches as it is and calls
    its ``fold`` when the message is written (``EmailPolicy.header_store_parse``
    and ``_fold``), so nothing re-parses or re-encodes it.
    """

    name: str
    tokens: tuple[str, ...]
    defects: tuple = ()

    def __new__(cls, name: str, text: str, tokens: list[str]) -> FoldedHeader:
        for token in tokens:
            if not (token and token.isascii() and token.isprintable()) or token != token.strip():
                raise ValueError(f"header token {token!r} is not printable ASCII")
        self = super().__new__(cls, text)
        self.name = name
        self.tokens = tuple(tokens)
        return self

    def fold(self, *, policy) -> str:
        limit = policy.max_line_length or LINE_LENGTH
        head = f"{self.name}:"
        lines = [head]
        for token in self.tokens:
            if lines[-1] == head or len(lines[-1]) + 1 + len(token) <= limit:
                lines[-1] += " " + token
            else:
                lines.append(" " + token)
        return policy.linesep.join(lines) + policy.linesep


def _plain(text: str) -> bool:
    """Printable ASCII that no mail program decodes: it can be written as it is."""
    return all(" " <= c <= "~" for c in text) and "=?" not in text


def encoded_words(text: str) -> list[str]:
    """``text`` as base64 encoded words, each of whole characters and at most EW_BYTES bytes."""
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and len(chunk) + len(data) > EW_BYTES:
            words.append(_encoded_word(chunk))
            chunk = b""
        chunk += data
    if chunk:
        words.append(_encoded_word(chunk))
    return words


def _encoded_word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def text_tokens(text: str) -> list[str]:
    """An unstructured header (Subject): its words, or encoded words."""
    words = text.split(" ")
    if _plain(text) and all(0 < len(w) <= TOKEN_LENGTH for w in words):
        return words
    return encoded_words(text)


def phrase_tokens(name: str) -> list[str]:
    """A display name: atoms, one quoted string, or encoded words."""
    if _plain(name):
        if SPECIALS.isdisjoint(name):
            words = name.split(" ")
            if all(0 < len(w) <= TOKEN_LENGTH for w in words):
                return words
        else:
            quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if len(quoted) <= TOKEN_LENGTH:
                return [quoted]
    return encoded_words(name)


def address_header(name: str, address: Address) -> FoldedHeader:
    """From, To or Reply-To with one address; the display name normalised by ``one_line``."""
    spec = address.addr_spec
    if not spec.isascii() or any(c.isspace() or c in '<>",;' for c in spec):
        raise ValueError(f"address {spec!r} was not checked")
    display = one_line(address.display_name)
    if not display:
        return FoldedHeader(name, spec, [spec])
    text = str(Address(display_name=display, addr_spec=spec))
    return FoldedHeader(name, text, [*phrase_tokens(display), f"<{spec}>"])


def subject_header(subject: str) -> FoldedHeader:
    text = one_line(subject)
    return FoldedHeader("Subject", text, text_tokens(text))


# ------------------------------------------------------------ attachment names


def ascii_name(filename: str) -> str:
    """The file name for mail programs that do not read RFC 2231: ``§ 44`` -> ``par 44``, åäö -> aao."""
    name = one_line("".join(_ascii_char(c) for c in _ASCII_PATTERN.sub(lambda m: ASCII_FOR[m.group()], filename)))
    name = _ASCII_PATTERN.sub(lambda m: ASCII_FOR[m.group()], name).replace("=?", "=-")  # '"' from NFKD of '＂'
    stem, dot, extension = name.rpartition(".")
    if not dot or not 0 < len(extension) <= 5:
        stem, extension = name, ""
    stem = stem[:FALLBACK_LENGTH].strip() or "bilaga"
    return f"{stem}.{extension}" if extension else stem


def _ascii_char(char: str) -> str:
    """One character in ASCII: its letters without accents (NFKD), a space, or '_'."""
    if char.isspace():
        return " "
    parts = []
    for piece in unicodedata.normalize("NFKD", char):
        if " " <= piece <= "~":
            parts.append(piece)
        elif not unicodedata.combining(piece):
            parts.append("_")
    return "".join(parts)


def disposition_tokens(filename: str) -> list[str]:
    """``attachment; filename="…"; filename*=utf-8''…`` as tokens; the RFC 2231 form only when needed."""
    fallback = ascii_name(filename)
    tokens = ["attachment;", f'filename="{fallback}"']
    if fallback == filename:
        return tokens
    tokens[-1] += ";"
    encoded = "utf-8''" + quote(filename, safe="")
    if len("filename*=") + len(encoded) <= TOKEN_LENGTH:
        return [*tokens, f"filename*={encoded}"]
    sections = _sections(encoded, TOKEN_LENGTH - len("filename*99*=;"))
    return [*tokens, *(f"filename*{i}*={s};" for i, s in enumerate(sections[:-1])),
            f"filename*{len(sections) - 1}*={sections[-1]}"]


def _sections(encoded: str, size: int) -> list[str]:
    """Pieces of at most ``size`` characters that never split a %XX."""
    pieces = re.findall(r"%[0-9A-F]{2}|[^%]", encoded)
    sections = [""]
    for piece in pieces:
        if len(sections[-1]) + len(piece) > size:
            sections.append("")
        sections[-1] += piece
    return sections


def disposition_header(filename: str) -> FoldedHeader:
    return FoldedHeader("Content-Disposition", f'attachment; filename="{filename}"', disposition_tokens(filename))
