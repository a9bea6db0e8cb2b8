"""Render the protokoll, the protokollsutdrag and the anslagsbevis as docx.

One function writes a paragraph (§); the protokoll and each utdrag use the
same one, so an extract is the paragraph verbatim.
"""

from __future__ import annotations

from pathlib import Path

from docx.text.paragraph import Paragraph

from ..markdown_docx import MarkdownContext, insert_markdown
from ..model import CHAIR, Meeting, Person
from ..render.documents import case_context, md_escape, render_template
from . import votes
from .record import Decision, Record

NOT_ADJUSTED = "OJUSTERAT"

MOTION_VERBS = {
    "yrkande": "yrkar",
    "bifallsyrkande": "yrkar bifall till förslaget till beslut",
    "ändringsyrkande": "yrkar, med ändring av förslaget till beslut,",
    "tilläggsyrkande": "yrkar, som tillägg till förslaget till beslut,",
    "avslag": "yrkar avslag på förslaget till beslut",
    "avslagsyrkande": "yrkar avslag på förslaget till beslut",
    "återremiss": "yrkar att ärendet återremitteras",
    "bordläggning": "yrkar att ärendet bordläggs",
}


def paragraph_range(record: Record) -> str:
    numbers = [d.paragraph for d in record.decisions]
    if not numbers:
        return ""
    first, last = min(numbers), max(numbers)
    return f"§ {first}" if first == last else f"§§ {first}–{last}"


def _date(value) -> str:
    return value.isoformat() if value else ""


def _names(people: list[Person]) -> list[str]:
    return [p.with_party() for p in people]


def _span(first: int | None, last: int | None, record: Record) -> str:
    """'§§ 41–45' for an item range (agenda numbers) in paragraph numbers."""
    by_item = {d.item.number: d.paragraph for d in record.decisions}
    numbers = sorted(by_item.values())
    if not numbers:
        return ""
    start = by_item.get(first, numbers[0]) if first is not None else numbers[0]
    end = by_item.get(last, numbers[-1]) if last is not None else numbers[-1]
    return f"§ {start}" if start == end else f"§§ {start}–{end}"


def attendance(meeting: Meeting, record: Record) -> dict[str, list[str]]:
    """The närvaro lists as printed on the protokoll's first page."""
    committee = meeting.committee
    absent = {p.name for p in record.absent}
    partial = {p.person.name: p for p in record.partial}
    deciding = []
    for member in committee.members:
        if member.name in absent:
            continue
        line = member.with_party()
        if member.role:
            line += f", {member.role}"
        if member.name in partial:
            line += f" ({_span(partial[member.name].first, partial[member.name].last, record)})"
        deciding.append(line)
    for substitute in record.substitutes:
        line = f"{substitute.person.with_party()} tjänstgörande ersättare för {substitute.replaces.with_party()}"
        if substitute.first is not None or substitute.last is not None:
            line += f" ({_span(substitute.first, substitute.last, record)})"
        deciding.append(line)
    serving_deputies = {s.person.name for s in record.substitutes}
    deputies = [p.with_party() for p in record.deputies_present if p.name not in serving_deputies]
    others = [", ".join(x for x in (p.name, p.title) if x) for p in record.others]
    missing = [p.with_party() for p in committee.members if p.name in absent]
    return {
        "beslutande": deciding,
        "ersattare": deputies or ["–"],
        "ovriga": others or ["–"],
        "franvarande": missing or ["–"],
    }


def common_context(meeting: Meeting, record: Record) -> dict:
    committee = meeting.committee
    chair = committee.chair
    adjustment = ", ".join(x for x in (record.adjustment_place, _date(record.adjustment_date)) if x)
    time = f"kl. {record.time}"
    if record.breaks:
        time += f" (ajournering {', '.join(record.breaks)})"
    return {
        "organisation": committee.organisation,
        "namnd": committee.name,
        "datum": meeting.date.isoformat(),
        "ojusterat": "" if record.adjusted else NOT_ADJUSTED,
        "plats_och_tid": f"{record.place}, {time}",
        "paragrafer": paragraph_range(record),
        "sekreterare": committee.secretary.name,
        "ordforande": chair.with_party() if chair else "",
        "justerare": _names(record.adjusters),
        "justerare_namn": _names(record.adjusters),
        "justering": adjustment,
        "justeringsdatum": _date(record.adjustment_date) or "ej justerat",
        "anslag_upp": _date(record.posted) or "–",
        "anslag_ned": _date(record.take_down) or "–",
        "sista_dag": _date(record.last_appeal_day) or "–",
        "forvaring": record.kept_at or "–",
        **attendance(meeting, record),
    }


# -------------------------------------------------------------- paragraph


def write_paragraph(anchor: Paragraph, meeting: Meeting, record: Record, decision: Decision) -> None:
    """One § of the protokoll, inserted before ``anchor``."""
    item = decision.item
    case = item.case
    anchor.insert_paragraph_before(f"§ {decision.paragraph}", style="Heading 1")
    anchor.insert_paragraph_before(item.heading, style="Heading 2")

    context = case_context(meeting, case, namespace=f"§{decision.paragraph}") if case is not None else None

    def section(title: str, markdown: str = "", lines: list[str] | None = None) -> None:
        anchor.insert_paragraph_before(title, style="Heading 3")
        if markdown:
            insert_markdown(anchor, markdown, heading_shift=-1, context=context)
        for line in lines or []:
            anchor.insert_paragraph_before(line, style="Tät")

    if case is not None:
        summary = "\n\n".join(
            (s.markdown if s.heading == "Ärendebeskrivning" else f"### {md_escape(s.heading)}\n\n{s.markdown}")
            for s in case.description
        )
        section("Sammanfattning", summary)
        section("Förslag till beslut", case.proposal)
        context.resolve_links()
    elif decision.information:
        insert_markdown(anchor, decision.information)
    if decision.motions:
        section("Yrkanden", lines=[_motion_line(m) for m in decision.motions])
    if decision.motions or decision.vote is not None or decision.proposition_order:
        section("Propositionsordning", decision.proposition_order or proposition_order(meeting, decision))
    if decision.vote is not None:
        _write_vote(anchor, meeting, record, decision)
    section("Beslut", decision.decision)
    if decision.immediate:
        anchor.insert_paragraph_before("Paragrafen justeras omedelbart.", style="Tät")
    if decision.reservations:
        section("Reservation", lines=[_reservation_line(r) for r in decision.reservations])
    if decision.disqualified:
        section("Jäv", lines=[f"{p.with_party()} anmäler jäv och deltar inte i handläggningen av ärendet."
                             for p in decision.disqualified])
    if decision.notes:
        section("Protokollsanteckning",
                lines=[f"{n.person.with_party()}: {n.text}" if n.person else n.text for n in decision.notes])
    if decision.dispatch:
        section("Expedieras till", lines=decision.dispatch)
    if case is not None:
        section("Beslutsunderlag", "\n".join(f"- {md_escape(line)}" for line in case.decision_basis()))


def _motion_line(motion) -> str:
    verb = MOTION_VERBS.get(motion.kind, "yrkar")
    text = motion.text.strip()
    who = motion.person.with_party()
    if not text:
        return f"{who} {verb}."
    if verb.endswith(",") or motion.kind in ("återremiss", "bordläggning"):
        return f"{who} {verb} {text[0].lower() + text[1:]}"
    return f"{who} {verb}: {text}"


def proposition_order(meeting: Meeting, decision: Decision) -> str:
    """The chair's propositions, generated from the yrkanden and the result."""
    options = [option.label for option in votes.propositions(decision.motions)]
    text = f"Ordföranden ställer proposition på {_join(options)}"
    if decision.vote is None:
        return f"{text} och finner att nämnden beslutar enligt {_finding(decision)}."
    vote = decision.vote
    yes, no = _side(vote, "ja"), _side(vote, "nej")
    return (f"{text} och finner att nämnden beslutar {_decides(vote, 'ja')}. Omröstning begärs och verkställs. "
            f"Följande propositionsordning godkänns: Ja-röst för {yes}, nej-röst för {no}.")


def _side(vote: votes.Vote, side: str) -> str:
    """What a ja or nej vote is for, as written in protokoll.yaml ('att ärendet avgörs i dag' spelled out)."""
    option = vote.sides[0 if side == "ja" else 1] if vote.sides else None
    if option is not None and option.kind == votes.TODAY:
        return option.label
    return vote.yes_means if side == "ja" else vote.no_means


def _decides(vote: votes.Vote, side: str) -> str:
    """What the committee decides when ``side`` wins, after 'nämnden beslutar'.

    'enligt Jörgen Perssons ändringsyrkande', 'att bifalla …', 'att avslå …' or 'att ärendet avgörs i dag'.
    """
    text = _side(vote, side)
    for written, verb in (("bifall till ", "att bifalla "), ("avslag på ", "att avslå ")):
        if text.lower().startswith(written):
            return verb + text[len(written):]
    return text if text.startswith("att ") else f"enligt {text}"


def _finding(decision: Decision) -> str:
    """What the chair found the committee decided, without a vote."""
    if decision.chosen is not None:
        return decision.chosen.label
    carried = [m for m in decision.motions if m.kind != "bifallsyrkande" and votes.refers_to(decision.decision, m)]
    return votes.motion_label(carried[0]) if len(carried) == 1 else "det yrkande som framgår av beslutet"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def _write_vote(anchor: Paragraph, meeting: Meeting, record: Record, decision: Decision) -> None:
    vote = decision.vote
    number = decision.item.number
    anchor.insert_paragraph_before("Omröstning", style="Heading 3")
    anchor.insert_paragraph_before(f"Ja-röst för {_side(vote, 'ja')}. Nej-röst för {_side(vote, 'nej')}.",
                                   style="Tät")
    rows = ["| Ledamot | Ja | Nej | Avstår |", "| --- | :---: | :---: | :---: |"]
    for person in record.serving(meeting, number):
        choice = vote.votes.get(person.name, "")
        marks = ["X" if choice == c else "" for c in ("ja", "nej", "avstår")]
        rows.append(f"| {md_escape(person.with_party())} | {' | '.join(marks)} |")
    yes, no, abstain = vote.count("ja"), vote.count("nej"), vote.count("avstår")
    rows.append(f"| **Summa** | **{yes}** | **{no}** | **{abstain}** |")
    insert_markdown(anchor, "\n".join(rows))
    anchor.insert_paragraph_before(vote_result(vote), style="Normal")


def vote_result(vote: votes.Vote) -> str:
    """The sentence after the vote table; the checks have made sure the vote has a winner."""
    result = vote.outcome
    outcome = _decides(vote, result.side)
    if result.casting is None:
        return (f"Med {result.yes} ja-röster mot {result.no} nej-röster, och {result.abstain} som avstår, beslutar "
                f"nämnden {outcome}.")
    chair = "Ordföranden" if result.casting.role == CHAIR else "Tjänstgörande ordförande"
    return (f"Omröstningen ger {result.yes} ja-röster och {result.no} nej-röster ({result.abstain} avstår). "
            f"{chair} {result.casting.with_party()} har utslagsröst och röstade "
            f"{result.side}: nämnden beslutar {outcome}.")


def _reservation_line(reservation) -> str:
    line = f"{reservation.person.with_party()} reserverar sig mot beslutet"
    line += f" {reservation.text.strip()}" if reservation.text else ""
    line = line.rstrip(".") + "."
    if reservation.written is not None:
        line += " Skriftlig reservation finns som bilaga till protokollet."
    return line


def _written_reservations(anchor: Paragraph, meeting: Meeting, record: Record) -> None:
    for decision in record.decisions:
        for reservation in decision.reservations:
            if reservation.written is None:
                continue
            heading = anchor.insert_paragraph_before(
                f"Bilaga: Skriftlig reservation, § {decision.paragraph}", style="Heading 1")
            heading.paragraph_format.page_break_before = True
            anchor.insert_paragraph_before(f"{reservation.person.with_party()} – {decision.item.heading}",
                                           style="Heading 2")
            context = MarkdownContext.for_file(reservation.written, meeting.folder, [reservation.markdown],
                                               namespace=f"reservation-{decision.paragraph}-{reservation.person.name}")
            insert_markdown(anchor, reservation.markdown, context=context)
            context.resolve_links()


# -------------------------------------------------------------- documents


def render_protokoll(meeting: Meeting, record: Record, template: Path, out: Path) -> Path:
    context = {**common_context(meeting, record),
               "dokumenttitel": f"Protokoll {meeting.committee.short_name} {meeting.date.isoformat()}"}

    def body(anchor: Paragraph) -> None:
        for decision in record.decisions:
            write_paragraph(anchor, meeting, record, decision)
        _written_reservations(anchor, meeting, record)

    return render_template(template, context, out, body)


def render_utdrag(meeting: Meeting, record: Record, decision: Decision, template: Path, out: Path) -> Path:
    adjusted = (f"Protokollet justerades {_date(record.adjustment_date)}." if record.adjusted
                else "Protokollet är ännu inte justerat.")
    if decision.immediate and not record.adjusted:
        adjusted = "Paragrafen justerades omedelbart."
    context = {**common_context(meeting, record),
               "dokumenttitel": f"Protokollsutdrag {meeting.committee.short_name} {meeting.date.isoformat()} "
                                f"§ {decision.paragraph}",
               "justeringsrad": adjusted}
    if decision.immediate:
        context["ojusterat"] = ""
    return render_template(template, context, out,
                           lambda anchor: write_paragraph(anchor, meeting, record, decision))


def render_anslagsbevis(meeting: Meeting, record: Record, template: Path, out: Path) -> Path:
    context = {**common_context(meeting, record),
               "dokumenttitel": f"Bevis om anslag {meeting.committee.short_name} {meeting.date.isoformat()}"}
    return render_template(template, context, out)
