"""The anslagstavla on a given day: the notices of justering still up, and the coming meetings.

A notice of justering (kommunallagen 8 kap. 12 §) is up from the day it was
posted (``anslag: datum:`` in protokoll.yaml, or ``anslag omedelbar
justering:`` for the §§ justerade at the meeting) until the day it comes
down, the day after the last day to appeal. Both days come from
:class:`meetingdocs.minutes.record.Notice` (meetingdocs/minutes/dates.py:
three weeks, moved past weekends and holidays by lagen (1930:173)), the same
rules the anslagsbevis is written with; nothing here counts days itself.

The day is a parameter (``build.py publish --idag``), never the clock inside
this module: the site shows the anslagstavla as it is on that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..minutes import render as minutes_render
from ..minutes.record import Decision, Notice
from .content import MeetingSite
from .minutes_page import appeal_sections


@dataclass(frozen=True)
class AdjustmentNotice:
    """A notice of justering: the protokoll's, or that of the §§ justerade at the meeting."""

    site: MeetingSite
    notice: Notice
    decisions: tuple[Decision, ...]

    @property
    def immediate(self) -> bool:
        return self.notice.immediate

    @property
    def paragraphs(self) -> str:
        """'§§ 31–33, 35–41', as the anslagsbevis writes them."""
        return minutes_render.paragraphs_text([d.paragraph for d in self.decisions])

    @property
    def posted(self) -> dt.date:
        return self.notice.posted

    @property
    def take_down(self) -> dt.date:
        return self.notice.take_down

    @property
    def last_appeal_day(self) -> dt.date:
        return self.notice.last_appeal_day

    @property
    def kept_at(self) -> str:
        return self.site.record.kept_at

    @property
    def key(self) -> str:
        """Stable name of the notice (feed ids, page anchors): 'gns-2020-12-11-justering'."""
        kind = "omedelbar-justering" if self.immediate else "justering"
        return f"{self.site.meeting.committee.key}-{self.site.meeting.id}-{kind}"

    def appeals(self) -> list[dict[str, str]]:
        """How to appeal these §§: [{rubrik, text}], the protokoll's own överklagandehänvisning."""
        return appeal_sections(self.site.minutes, self.site.record, list(self.decisions))

    def is_up(self, today: dt.date) -> bool:
        return self.posted <= today < self.take_down


@dataclass(frozen=True)
class MeetingNotice:
    """A coming meeting on the anslagstavla (the kallelse): up until the meeting day, down the day after."""

    site: MeetingSite

    @property
    def key(self) -> str:
        return f"{self.site.meeting.committee.key}-{self.site.meeting.id}-kallelse"

    def is_up(self, today: dt.date) -> bool:
        return today <= self.site.meeting.date


@dataclass(frozen=True)
class Board:
    """The anslagstavla on ``today``."""

    today: dt.date
    adjustments: list[AdjustmentNotice]  # up today, newest posting first
    meetings: list[MeetingNotice]  # up today, soonest first
    next_change: dt.date | None  # the next day something is posted or comes down


def adjustment_notices(site: MeetingSite) -> list[AdjustmentNotice]:
    """The meeting's notices of justering that have been posted: the protokoll's once it is justerat, and that
    of the §§ justerade at the meeting."""
    record = site.record
    if record is None:
        return []
    notices = []
    for immediate, notice in ((False, record.main_notice), (True, record.immediate_notice)):
        decisions = tuple(d for d in record.decisions if d.immediate == immediate)
        if notice.posted is not None and decisions:
            notices.append(AdjustmentNotice(site, notice, decisions))
    return notices


def board(sites: list[MeetingSite], today: dt.date) -> Board:
    adjustments = [n for site in sites for n in adjustment_notices(site)]
    meetings = [MeetingNotice(site) for site in sites]
    up = sorted((n for n in adjustments if n.is_up(today)), key=lambda n: (n.posted, n.key), reverse=True)
    coming = sorted((n for n in meetings if n.is_up(today)), key=lambda n: (n.site.meeting.date, n.key))
    changes = [day for n in adjustments for day in (n.posted, n.take_down) if day > today]
    changes += [n.site.meeting.date + dt.timedelta(days=1) for n in coming]
    return Board(today, up, coming, min(changes, default=None))
