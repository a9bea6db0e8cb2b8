"""The anslag's dates by the Swedish calendar: the last day to appeal and when the notice comes down.

Kommunallagen (2017:725) 13 kap. 5 §: an appeal must have come in within three
weeks from the day the notice of the protokoll's justering was posted on the
anslagstavla. Lagen (1930:173) om beräkning av lagstadgad tid: when the last
day of such a time falls on a Saturday, a Sunday, another public holiday,
midsommarafton, julafton or nyårsafton, the appeal may come in on the next
weekday. The notice comes down the day after the last appeal day, never on it.

Kommunallagen 8 kap. 12 §: the notice is posted no later than the second day
after the justering (moved to the next weekday in the same way).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from holidays.constants import DE_FACTO, PUBLIC

APPEAL_DAYS = 21  # three weeks, KL 13 kap. 5 §
POSTING_DAYS = 2  # the second day after justering, KL 8 kap. 12 §
SATURDAY = 5
# The years the holiday calendar knows; a posting date outside them is a typo.
# The last year is left out because its appeal time may run into the next year.
FIRST_YEAR = holidays.Sweden.start_year
LAST_YEAR = holidays.Sweden.end_year - 1


@lru_cache(maxsize=None)
def _holidays(year: int) -> frozenset[dt.date]:
    """Sweden's public holidays and the three eves of lagen (1930:173) in ``year``.

    PUBLIC is the allmänna helgdagar of lagen (1989:253). Midsommarafton,
    julafton and nyårsafton are not public holidays; the holidays package lists
    them in its DE_FACTO category (checked for version 0.108), which is why it
    is asked for here. Sundays are left out (include_sundays=False, stated
    explicitly because the option's default has changed between versions):
    Saturdays and Sundays are recognised by their weekday in ``is_day_off``.
    """
    calendar = holidays.Sweden(years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False)
    return frozenset(calendar.keys())


def supported(day: dt.date) -> bool:
    """Whether the calendar covers an anslag posted on ``day`` and its appeal time."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def is_day_off(day: dt.date) -> bool:
    """Saturday, Sunday, a public holiday, midsommarafton, julafton or nyårsafton."""
    return day.weekday() >= SATURDAY or day in _holidays(day.year)


def next_weekday(day: dt.date) -> dt.date:
    """``day`` itself, or the first following day that is not a day off (lagen (1930:173))."""
    while is_day_off(day):
        day += dt.timedelta(days=1)
    return day


def last_appeal_day(posted: dt.date) -> dt.date:
    """The last day an appeal may come in, for a notice posted on ``posted``.

    Three weeks from the posting (kommunallagen 13 kap. 5 §), moved to the next
    weekday by lagen (1930:173) om beräkning av lagstadgad tid.
    """
    if not supported(posted):
        raise ValueError(f"the holiday calendar covers postings {FIRST_YEAR}–{LAST_YEAR}, not {posted}")
    return next_weekday(posted + dt.timedelta(days=APPEAL_DAYS))


def take_down_day(posted: dt.date) -> dt.date:
    """The day the notice comes down: the day after the last appeal day."""
    return last_appeal_day(posted) + dt.timedelta(days=1)


def latest_posting_day(adjusted: dt.date) -> dt.date:
    """The last day the notice of justering may be posted (kommunallagen 8 kap. 12 §).

    Moved to the next weekday like any time set by law (lagen (1930:173)):
    refusing a lawful posting on the Monday after a Thursday justering would
    block the secretary; accepting it is what the law allows.
    """
    return next_weekday(adjusted + dt.timedelta(days=POSTING_DAYS))
