"""Exit codes and the exceptions that carry them.

Every exception here carries a message in Swedish meant for the secretary:
what is wrong, where (file, field or line) and what to do about it. The
top-level handler in ``cli.py`` prints the message and exits with the code;
a traceback is only shown with ``-v``.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .limits import (
    MAX_FIELD_CHARS,
    MAX_LISTED_PROBLEMS,
    MAX_MESSAGE_CHARS,
    MAX_PROBLEM_CHARS,
    MAX_QUOTED_CHARS,
)


class ExitCode(enum.IntEnum):
    ok = 0
    other_error = 1
    bad_args = 2
    input_invalid = 3
    missing_dependency = 4
    conversion_failed = 5
    output_invalid = 6
    publish_failed = 7
    not_conforming = 8
    ctrl_c = 130


class MeetingDocsError(Exception):
    """Base class: an error with a user-facing Swedish message."""

    exit_code = ExitCode.other_error

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadArgsError(MeetingDocsError):
    exit_code = ExitCode.bad_args


class MissingDependencyError(MeetingDocsError):
    exit_code = ExitCode.missing_dependency


class ConversionError(MeetingDocsError):
    """An external program failed to turn a document into PDF."""

    exit_code = ExitCode.conversion_failed

    def __init__(self, message: str, source: Path | None = None):
        super().__init__(message)
        self.source = source


class OutputInvalidError(MeetingDocsError):
    """The finished PDF failed verification; nothing was published."""

    exit_code = ExitCode.output_invalid


class NotConformingError(MeetingDocsError):
    """A strict build (--strikt) found what keeps the packet from PDF/UA-1 and PDF/A-2; nothing was published."""

    exit_code = ExitCode.not_conforming


class PublishError(MeetingDocsError):
    """The finished files could not be moved into place; the message says what changed."""

    exit_code = ExitCode.publish_failed


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to where they stand."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def shorten(text: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis where it was cut."""
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def quote(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """A value from the sources as quoted back in a message: one line, shortened, control characters as �."""
    text = str(value)[: limit + 1].replace("\r\n", "\n").replace("\n", " ⏎ ")
    return shorten("".join("�" if unicodedata.category(c) in ("Cc", "Cs") else c for c in text), limit)


def cap_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A message of at most about ``limit`` characters: its beginning and end, the middle left out."""
    if len(text) <= limit:
        return text
    tail = min(400, limit // 4)
    head = max(limit - tail - 60, 0)
    omitted = len(text) - head - tail
    return f"{text[:head]}\n… ({omitted} tecken utelämnade) …\n{text[len(text) - tail:]}"


@dataclass(frozen=True)
class Problem:
    """One problem in the sources: where it is and what to do."""

    file: Path | None
    message: str
    field: str | None = None
    line: int | None = None

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(display_path(self.file))
        if self.line is not None:
            parts.append(f"rad {self.line}")
        if self.field:
            parts.append(f"fältet '{shorten(self.field, MAX_FIELD_CHARS)}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        message = shorten(self.message, MAX_PROBLEM_CHARS)
        return f"{where}: {message}" if where else message


class SourceError(MeetingDocsError):
    """One or more problems in the secretary's sources."""

    exit_code = ExitCode.input_invalid
    head_one = "Källfilerna innehåller ett fel:"
    head_many = "Källfilerna innehåller {count} fel:"
    footer = "Inget har ändrats i packets/."
    more = "  … och {count} fel till; rätta felen ovan och kör igen för att se resten."

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = self.head_one if count == 1 else self.head_many.format(count=count)
        lines = [f"  - {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            lines.append(self.more.format(count=count - MAX_LISTED_PROBLEMS))
        body = "\n".join(lines)
        super().__init__(f"{head}\n{body}\n{self.footer}")
