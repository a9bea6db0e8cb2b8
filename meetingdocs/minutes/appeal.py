"""Överklagandehänvisning: how the decisions of a protokoll can be appealed, in words.

Laglighetsprövning (kommunallagen (2017:725) 13 kap.) is the default. The appeal
must have come in to the förvaltningsrätt within three weeks from the day the
notice of the justering was posted on the anslagstavla (13 kap. 5 §). It is
given in to the court itself: what counts is the day it reaches the court, so an
appeal sent to the kommun or region that reaches the court too late is too late.
The text therefore says to send it directly to the förvaltningsrätt.

Förvaltningsbesvär (förvaltningslagen (2017:900)), for decisions that a special
law lets the person concerned appeal: the appeal is addressed to the
förvaltningsrätt but given in to the body that decided (43 §), within three
weeks from the day the person appealing was told of the decision (44 §).

A § may say ``överklagande: förvaltningsbesvär``, ``överklagande: nej`` (no
text) or give its own text; the committee file may do the same for all §§
(``Committee.appeal``: None = laglighetsprövning, "" = none, or a text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Meeting
from .record import (APPEAL_ADMINISTRATIVE, APPEAL_LAWFULNESS, APPEAL_NONE, Decision, Notice, Record,
                     appeal_route)


WORD_JOINER = "\u2060"  # no line break here; invisible, and left out of the PDF's text


def day(value: dt.date) -> str:
    """A date in running text: 2020-12-17, never broken across two lines at a hyphen."""
    return value.isoformat().replace("-", "-" + WORD_JOINER)


@dataclass(frozen=True)
class Appeal:
    """One way to appeal and the §§ it applies to."""

    route: str  # APPEAL_LAWFULNESS, APPEAL_ADMINISTRATIVE or an own text
    notice: Notice | None  # laglighetsprövning: the notice whose posting starts the time
    paragraphs: tuple[int, ...]


def route_of(meeting: Meeting, decision: Decision) -> str:
    """The §'s own 'överklagande:', else the committee's, else laglighetsprövning."""
    if decision.appeal is not None:
        return decision.appeal
    committee = appeal_route(meeting.committee.appeal)
    return APPEAL_LAWFULNESS if committee is None else committee


def appeals(meeting: Meeting, record: Record, decisions: list[Decision]) -> list[Appeal]:
    """The ways to appeal ``decisions``, one per route and notice, in § order; §§ without appeal left out."""
    groups: dict[tuple[str, Notice | None], list[int]] = {}
    for decision in decisions:
        route = route_of(meeting, decision)
        if route == APPEAL_NONE:
            continue
        notice = record.notice(decision) if route == APPEAL_LAWFULNESS else None
        groups.setdefault((route, notice), []).append(decision.paragraph)
    return [Appeal(route, notice, tuple(numbers)) for (route, notice), numbers in groups.items()]


def appeal_text(meeting: Meeting, appeal: Appeal) -> str:
    """The överklagandehänvisning of one group of §§ as one paragraph."""
    plural = len(appeal.paragraphs) > 1
    if appeal.route == APPEAL_LAWFULNESS:
        return lawfulness_text(meeting, appeal.notice, plural=plural)
    if appeal.route == APPEAL_ADMINISTRATIVE:
        return administrative_text(meeting, plural=plural)
    return appeal.route


def lawfulness_text(meeting: Meeting, notice: Notice, *, plural: bool = False) -> str:
    """Laglighetsprövning enligt 13 kap. kommunallagen, with the last day when the notice is up."""
    subject = "Besluten" if plural else "Beslutet"
    which = "den omedelbara justeringen" if notice.immediate else "protokollets justering"
    start = (f"{subject} kan överklagas genom laglighetsprövning enligt 13 kap. kommunallagen (2017:725). "
             "Överklagandet ska vara skriftligt och ange vilket beslut som överklagas och de omständigheter som "
             "överklagandet grundar sig på. Det ska ha kommit in till förvaltningsrätten inom tre veckor från den dag "
             f"då tillkännagivandet om {which} ")
    if notice.posted is not None:
        when = (f"sattes upp på anslagstavlan ({day(notice.posted)}). "
                f"Sista dag att överklaga är {day(notice.last_appeal_day)}.")
    else:
        when = "sätts upp på anslagstavlan. Sista dag att överklaga anges när tillkännagivandet har satts upp."
    where = (f" Skicka överklagandet direkt till förvaltningsrätten, inte till {meeting.committee.body_noun}: "
             "det är dagen då det kommer in till förvaltningsrätten som räknas.")
    return start + when + where


def administrative_text(meeting: Meeting, *, plural: bool = False) -> str:
    """Förvaltningsbesvär enligt förvaltningslagen: three weeks from the day the person concerned was told."""
    committee = meeting.committee
    subject = "Besluten" if plural else "Beslutet"
    return (f"{subject} kan överklagas genom förvaltningsbesvär enligt förvaltningslagen (2017:900) av den som "
            "beslutet angår, om det har gått hen emot. Överklagandet ska vara skriftligt och ange vilket beslut som "
            "överklagas och vilken ändring som begärs. Överklagandet ställs till förvaltningsrätten men skickas till "
            f"{committee.body_noun} ({committee.organisation}), dit det ska ha kommit in inom tre veckor från den "
            "dag då den som överklagar fick del av beslutet (43 och 44 §§ förvaltningslagen).")
