"""What the guard found, where, and what the secretary should do about it.

A finding never holds a whole personnummer: the number is kept masked
("19121212-****"), and so is every number in the excerpt around it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import display_path
from .personnummer import PERSONNUMMER, SAMORDNINGSNUMMER, find_personal_numbers, mask_numbers
from .words import find_sensitive_words

SENSITIVE_WORD = "känsligt ord"
UNCHECKED = "ej kontrollerad"  # a file (or part) whose text could not be read
NUMBER_KINDS = (PERSONNUMMER, SAMORDNINGSNUMMER)

EXCERPT_CONTEXT = 30  # characters either side of what was found
OPENING_WORDS = 6  # words of a paragraph that name it in a Word file

REMOVE_ADVICE = "ta bort det ur handlingen innan den publiceras."
REMOVE_OR_MARK_ADVICE = {  # where a sekretess marking can keep it out of what is published (secrecy.py)
    ".md": "ta bort det, eller markera stycket som sekretess ('::: sekretess OSL …' på raden före och ':::' "
           "på raden efter), innan den publiceras.",
    ".pdf": "ta bort det ur bilagan, eller markera hela bilagan som sekretess ('sekretess: OSL …' under "
            "bilagans fil och titel), innan den publiceras.",
}
REMOVE_OR_MARK_ADVICE[".docx"] = REMOVE_OR_MARK_ADVICE[".odt"] = REMOVE_OR_MARK_ADVICE[".pdf"]
WORD_ADVICE = ("kontrollera att texten inte berättar något känsligt om en enskild person; gör den det, ta bort "
               "uppgiften ur handlingen innan den publiceras.")
CHECK_ADVICE = "kontrollera den själv innan den publiceras."
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Place:
    """Where in a file: a line (text files), a page (PDF) or a part (Word: paragraph, table cell)."""

    line: int | None = None
    column: int | None = None
    page: int | None = None
    part: str = ""  # 'stycke 4 (börjar ”Enligt beslut …”)', 'tabell 1, rad 2, kolumn 3', 'sidhuvudet'

    def __str__(self) -> str:
        if self.line is not None:
            return f"rad {self.line}"
        if self.page is not None:
            return f"sida {self.page}"
        return self.part


@dataclass(frozen=True)
class Finding:
    kind: str  # PERSONNUMMER, SAMORDNINGSNUMMER, SENSITIVE_WORD or UNCHECKED
    file: Path
    place: Place
    shown: str = ""  # the number masked, or the word as written
    excerpt: str = ""  # the text around it, every number in it masked
    concerns: str = ""  # a sensitive word: what kind of data it suggests ("hälsa")
    reason: str = ""  # UNCHECKED: why the text could not be read

    @property
    def is_number(self) -> bool:
        """A personnummer or samordningsnummer: the public build will refuse it."""
        return self.kind in NUMBER_KINDS

    @property
    def line(self) -> int | None:
        return self.place.line

    @property
    def page(self) -> int | None:
        return self.place.page

    def message(self) -> str:
        """In Swedish, for the secretary: file and place, what was found, what to do."""
        where = ", ".join(part for part in (display_path(self.file), str(self.place)) if part)
        return f"{where}: {self._what()} — {self._advice()}"

    def _what(self) -> str:
        if self.is_number:
            return f"{self.kind} ({self.shown}) i texten ”{self.excerpt}”"
        if self.kind == SENSITIVE_WORD:
            return f"ordet ”{self.shown}” kan vara en uppgift om {self.concerns} (texten ”{self.excerpt}”)"
        return self.reason

    def _advice(self) -> str:
        if self.is_number:
            return REMOVE_OR_MARK_ADVICE.get(self.file.suffix.lower(), REMOVE_ADVICE)
        return WORD_ADVICE if self.kind == SENSITIVE_WORD else CHECK_ADVICE


def unchecked(file: Path, reason: str, place: Place = Place()) -> Finding:
    return Finding(UNCHECKED, file, place, reason=reason)


def findings_in_text(text: str, file: Path, place_at: Callable[[int], Place],
                     today: dt.date | None = None) -> list[Finding]:
    """Personnummer, samordningsnummer and sensitive words in ``text``; ``place_at`` turns an offset into a
    place in ``file``."""
    masked = mask_numbers(text, today)
    found = [(number.start, Finding(number.kind, file, place_at(number.start), number.masked,
                                    excerpt(masked, number.start, number.end)))
             for number in find_personal_numbers(text, today)]
    found += [(word.start, Finding(SENSITIVE_WORD, file, place_at(word.start), masked[word.start:word.end],
                                   excerpt(masked, word.start, word.end), concerns=word.term.concerns))
              for word in find_sensitive_words(text)]
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


def excerpt(text: str, start: int, end: int, context: int = EXCERPT_CONTEXT) -> str:
    """``text[start:end]`` with some words around it from the same line; … where the line goes on."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = len(text) if (newline := text.find("\n", end)) < 0 else newline
    first, last = max(line_start, start - context), min(line_end, end + context)
    if first > line_start and (space := _SPACE.search(text, first, start)):
        first = space.end()  # begin with a whole word
    if last < line_end and (spaces := list(_SPACE.finditer(text, end, last))):
        last = spaces[-1].start()  # end with a whole word
    shown = " ".join(text[first:last].split())
    return ("…" if first > line_start else "") + shown + ("…" if last < line_end else "")


def opening(text: str, words: int = OPENING_WORDS) -> str:
    """The first words of a paragraph (its numbers masked), to name it: 'Enligt beslut i nämnden …'."""
    all_words = mask_numbers(text).split()
    return " ".join(all_words[:words]) + (" …" if len(all_words) > words else "")


class LineIndex:
    """Offsets in a text file -> line and column (both 1-based)."""

    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]

    def place(self, offset: int) -> Place:
        line = bisect.bisect_right(self.starts, offset)
        return Place(line=line, column=offset - self.starts[line - 1] + 1)
