"""The protokoll as a web page: the same §§, in the same words, as protokoll.pdf.

Every sentence comes from meetingdocs/minutes/render.py, which writes the
PDF: the närvaro lists, the yrkanden, the propositionsordning, the vote and
its result, the reservations and the överklagandehänvisning. Only the form
differs (HTML instead of Word). The meeting is the protokoll's own view
(:func:`meetingdocs.secrecy.minutes_view`), and every Markdown text goes
through :func:`meetingdocs.publish.markup.to_html` (secret passages removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ..minutes import appeal, render as minutes_render
from ..minutes.record import Decision, Record
from ..model import Meeting
from .markup import Images, Where, to_html

SECTION_LEVEL = 3  # '§ 31 …' is an h2; its sections (Beslut, Yrkanden …) h3; headings in their text h4


def appeal_sections(meeting: Meeting, record: Record, decisions: list[Decision]) -> list[dict[str, str]]:
    """The protokoll's överklagandehänvisning for ``decisions`` ([{rubrik, text}]), for a web page: without the
    invisible word joiners that keep a date on one line in the PDF (a page's text is searched and copied)."""
    return [{key: value.replace(appeal.WORD_JOINER, "") for key, value in section.items()}
            for section in minutes_render.appeal_sections(meeting, record, decisions)]


@dataclass(frozen=True)
class VoteTable:
    sides: str  # 'Ja-röst för …. Nej-röst för ….'
    rows: list[tuple[str, str]]  # (person, 'ja' / 'nej' / 'avstår' / '')
    totals: tuple[int, int, int]
    result: str


@dataclass
class Section:
    heading: str
    html: Markup = Markup("")
    lines: list[str] = field(default_factory=list)
    vote: VoteTable | None = None


@dataclass
class Paragraph:
    number: int
    heading: str  # the item's heading, with dnr
    anchor: str  # 'p31'
    sections: list[Section]
    information: Markup  # a standard item's own text, without a heading
    immediate_text: str  # 'Paragrafen justerades omedelbart vid sammanträdet …', or ""


@dataclass(frozen=True)
class WrittenReservation:
    paragraph: int
    title: str  # 'Skriftlig reservation, § 36'
    by: str  # 'Jörgen Persson (S) – Återstående medel från 2018 (GNS/2/2020)'
    html: Markup


class MinutesPage:
    """What protokoll.html shows, built from the record and the protokoll's view of the meeting."""

    def __init__(self, meeting: Meeting, record: Record, images: Images):
        self.meeting = meeting
        self.record = record
        self.images = images
        self.header = minutes_render.common_context(meeting, record)
        self.paragraphs = [self.paragraph(d) for d in record.decisions]
        self.appeals = appeal_sections(meeting, record, record.decisions)
        self.reservations = [r for d in record.decisions for r in self.written_reservations(d)]

    def where(self, namespace: str, source=None, level: int = SECTION_LEVEL + 1) -> Where:
        base = source.parent if source is not None else self.meeting.folder
        return Where(namespace, level, base, self.meeting.folder, self.images)

    def paragraph(self, decision: Decision) -> Paragraph:
        item = decision.item
        case = item.case
        number = decision.paragraph
        where = self.where(f"p{number}", case.source if case is not None else None)
        sections = [
            Section("Jäv", lines=[f"{p.with_party()} anmäler jäv och deltar inte i handläggningen av ärendet."
                                  for p in decision.disqualified]),
        ]
        if case is not None:
            sections += [Section("Sammanfattning", to_html(minutes_render.summary_markdown(case), where)),
                         Section("Förslag till beslut", to_html(case.proposal, where))]
        information = to_html(decision.information, where) if case is None and decision.information else Markup("")
        sections.append(Section("Yrkanden", lines=[minutes_render.motion_line(m) for m in decision.motions]))
        if decision.motions or decision.vote is not None or decision.proposition_order:
            order = decision.proposition_order or minutes_render.proposition_order(self.meeting, decision)
            sections.append(Section("Propositionsordning", to_html(order, where)))
        if decision.vote is not None:
            sections.append(Section("Omröstning", vote=self.vote_table(decision)))
        sections.append(Section("Beslut", to_html(decision.decision, where)))
        sections += [
            Section("Reservation", lines=[minutes_render.reservation_line(r) for r in decision.reservations]),
            Section("Protokollsanteckning", lines=[f"{n.person.with_party()}: {n.text}" if n.person else n.text
                                                   for n in decision.notes]),
            Section("Expedieras till", lines=list(decision.dispatch)),
        ]
        if case is not None:
            sections.append(Section("Beslutsunderlag", to_html(minutes_render.decision_basis_markdown(case), where)))
        shown = [s for s in sections if s.html or s.lines or s.vote is not None]
        return Paragraph(number, item.heading, f"p{number}", shown, information, self.immediate_text(decision))

    def immediate_text(self, decision: Decision) -> str:
        if not decision.immediate:
            return ""
        return f"Paragrafen justerades omedelbart vid sammanträdet {self.record.meeting_date.isoformat()}."

    def vote_table(self, decision: Decision) -> VoteTable:
        vote = decision.vote
        serving = self.record.serving(self.meeting, decision.item.number)
        rows = [(person.with_party(), vote.votes.get(person.name, "")) for person in serving]
        return VoteTable(
            sides=(f"Ja-röst för {minutes_render.vote_side(vote, 'ja')}. "
                   f"Nej-röst för {minutes_render.vote_side(vote, 'nej')}."),
            rows=rows,
            totals=(vote.count("ja"), vote.count("nej"), vote.count("avstår")),
            result=minutes_render.vote_result(vote, self.meeting.committee.body_noun),
        )

    def written_reservations(self, decision: Decision) -> list[WrittenReservation]:
        found = []
        for reservation in decision.reservations:
            if reservation.written is None:
                continue
            where = self.where(f"reservation-{decision.paragraph}-{len(found) + 1}", reservation.written, level=4)
            found.append(WrittenReservation(
                decision.paragraph, f"Skriftlig reservation, § {decision.paragraph}",
                f"{reservation.person.with_party()} – {decision.item.heading}", to_html(reservation.markdown, where)))
        return found
