"""Swedish personnummer and samordningsnummer in free text.

A personnummer is a date of birth and four digits, the last a Luhn check
digit over the ten digits YYMMDDNNNN. It is written in several ways:

- ``YYMMDD-NNNN``: the ten-digit form; the century is the latest one that
  puts the date of birth in the past;
- ``YYMMDD+NNNN``: the ten-digit form of someone 100 years or older
  (the century before that);
- ``YYYYMMDD-NNNN`` and ``YYYYMMDDNNNN``: with the century (18, 19 or 20);
- ``YYMMDDNNNN``: ten digits without a separator;
- a space instead of the dash, and the dashes Word puts in (en dash,
  non-breaking hyphen). A line break right after the dash is allowed, as a
  PDF may wrap a number there.

A samordningsnummer is written the same way with 60 added to the day
(61-91). Either kind counts only when its date is a real calendar date
(leap years included) and not in the future, and its check digit is right.

What is deliberately not found: digits inside a longer run of digits, or
joined to other digits by a dash, slash, dot, comma, colon or a single space
(account numbers, "1 607 tkr", phone numbers such as 063-14 75 00 or
070-123 45 67, dates such as 2020-12-11, diarienummer such as GNS/10/2020);
a space-separated number followed by a space and a digit (a row of figures
in a table); organisationsnummer (their "month" is 20 or more).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"

COORDINATION_DAY_OFFSET = 60
CENTURIES = (18, 19, 20)
MASK = "****"

# hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, minus sign
DASHES = "-\u2010\u2011\u2012\u2013\u2212"
SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_DASH = f"[{re.escape(DASHES)}]"
_SPACE = f"[{SPACES}]"
_JOINERS = f"[{re.escape(DASHES)}+/.,:]"  # what joins digits into one longer number

_NUMBER = re.compile(
    rf"(?<!\d)(?<!\d{_JOINERS})(?<!\d{_SPACE})"
    rf"(?:(?P<long>\d{{8}})(?P<long_sep>{_DASH}\n?|{_SPACE}|)"
    rf"|(?P<short>\d{{6}})(?P<short_sep>{_DASH}\n?|\+|{_SPACE}|))"
    rf"(?P<tail>\d{{4}})"
    rf"(?!\d)(?!{_JOINERS}\d)"
)
_SPACED_DIGIT = re.compile(rf"{_SPACE}\d")


@dataclass(frozen=True)
class NumberMatch:
    """A personnummer or samordningsnummer found in a text."""

    start: int  # offsets in the text
    end: int
    text: str  # as written
    kind: str  # PERSONNUMMER or SAMORDNINGSNUMMER
    born: dt.date

    @property
    def masked(self) -> str:
        """The number as it may be shown: the date kept, the last four digits hidden ("19121212-****")."""
        return mask(self.text)


def mask(written: str) -> str:
    """``written`` (a number that ends in its four last digits) with those digits as ``****``, on one line."""
    return written[: -len(MASK)].replace("\n", "") + MASK


def luhn_valid(digits: str) -> bool:
    """The Luhn check (weights 2, 1, 2, … from the left) over the ten digits YYMMDDNNNN."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def check_digit(nine: str) -> str:
    """The Luhn check digit that completes the nine digits YYMMDDNNN."""
    return next(d for d in "0123456789" if luhn_valid(nine + d))


def find_personal_numbers(text: str, today: dt.date | None = None) -> list[NumberMatch]:
    """Every valid personnummer and samordningsnummer in ``text``, in order."""
    today = today or dt.date.today()
    found = []
    for match in _NUMBER.finditer(text):
        number = _number_of(match, today)
        if number is not None and not _in_a_row_of_figures(text, match):
            found.append(number)
    return found


def mask_numbers(text: str, today: dt.date | None = None) -> str:
    """``text`` with the last four digits of every personnummer and samordningsnummer as ``****``.

    The length stays the same, so offsets into ``text`` still hold.
    """
    masked = list(text)
    for number in find_personal_numbers(text, today):
        masked[number.end - len(MASK):number.end] = MASK
    return "".join(masked)


def _number_of(match: re.Match, today: dt.date) -> NumberMatch | None:
    tail = match["tail"]
    if match["long"]:
        date_digits, century = match["long"][2:], int(match["long"][:2])
        if century not in CENTURIES:
            return None
        year = century * 100 + int(date_digits[:2])
    else:
        date_digits = match["short"]
        year = _year_of_short_form(date_digits, match["short_sep"] == "+", today)
    if not luhn_valid(date_digits + tail):
        return None
    return _with_date(match, year, date_digits, today)


def _with_date(match: re.Match, year: int, date_digits: str, today: dt.date) -> NumberMatch | None:
    kind = SAMORDNINGSNUMMER if int(date_digits[4:6]) > COORDINATION_DAY_OFFSET else PERSONNUMMER
    born = _date(year, int(date_digits[2:4]), _day_of_birth(date_digits))
    if born is None or born > today:
        return None
    return NumberMatch(match.start(), match.end(), match.group(), kind, born)


def _day_of_birth(date_digits: str) -> int:
    """The day as written, or for a samordningsnummer the day with 60 taken off."""
    day = int(date_digits[4:6])
    return day - COORDINATION_DAY_OFFSET if day > COORDINATION_DAY_OFFSET else day


def _year_of_short_form(date_digits: str, plus: bool, today: dt.date) -> int:
    """The year of birth of a ten-digit number: the latest that is not in the future ('-'), or
    a century earlier ('+': 100 years or older)."""
    two = int(date_digits[:2])
    year = today.year - (today.year - two) % 100
    if year == today.year and (int(date_digits[2:4]), _day_of_birth(date_digits)) > (today.month, today.day):
        year -= 100
    return year - 100 if plus else year


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _in_a_row_of_figures(text: str, match: re.Match) -> bool:
    """A number written with a space (YYMMDD NNNN) followed by a space and a digit: figures in a table."""
    separator = match["long_sep"] if match["long"] else match["short_sep"]
    return bool(separator) and separator in SPACES and _SPACED_DIGIT.match(text, match.end()) is not None
