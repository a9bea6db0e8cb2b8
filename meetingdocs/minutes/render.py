"""Render the protokoll, the protokollsutdrag and the anslagsbevis as docx.

One function writes a paragraph (§); the protokoll and each utdrag use the
same one, so an extract is the paragraph verbatim.
"""

from __future__ import annotations

from pathlib import Path

from docx.shared import Pt
from docx.text.paragraph import Paragraph

from .. import secrecy
from ..docx_support import set_outline_level
from ..markdown_docx import MarkdownContext, insert_markdown
from ..model import CHAIR, Case, Meeting, Person
from ..numbers import runs_text
from ..render.documents import case_context, md_escape, render_template
from . import appeal, votes
from .record import Decision, Notice, Record, Substitute

NOT_ADJUSTED = "OJUSTERAT"
APPEAL_HEADING = "Hur man överklagar"
APPEAL_GROUP_LEVEL = 3  # 'Gäller §§ …': H3, though set like a § section's heading
SIGNATURE_LINE = "_" * 32
SIGNATURE_SPACE = Pt(20)  # room to sign above the line
ROLE_SPACE = Pt(8)  # between one signature and the next

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


def paragraphs_text(numbers: list[int]) -> str:
    """'§ 36', '§§ 31–39', '§§ 31–34, 38–41', '§§ 31, 36'; 'ingen paragraf' for none."""
    if not numbers:
        return "ingen paragraf"
    return f"{'§' if len(set(numbers)) == 1 else '§§'} {runs_text(numbers)}"


def _member_paragraphs(record: Record, member: Person) -> list[int]:
    """The §§ at which a ledamot who came is present: all, or those of a delvis närvarande's range."""
    partial = next((p for p in record.partial if p.person.name == member.name), None)
    return [d.paragraph for d in record.decisions if partial is None or partial.present_at(d.item.number)]


def _substitute_paragraphs(record: Record, substitute: Substitute) -> list[int]:
    return [d.paragraph for d in record.decisions if substitute.serves_at(d.item.number)]


def _participation(record: Record, person: Person, paragraphs: list[int]) -> str:
    """' (§§ 31–39)' when someone decides at only some §§; ', ej § 36 (jäv)' for each jäv among them."""
    text = "" if paragraphs == [d.paragraph for d in record.decisions] else f" ({paragraphs_text(paragraphs)})"
    barred = [d.paragraph for d in record.decisions
              if d.paragraph in paragraphs and person.name in {p.name for p in d.disqualified}]
    if barred:
        text += f", ej {paragraphs_text(barred)} (jäv)"
    return text


def _deciding(meeting: Meeting, record: Record) -> list[str]:
    """Beslutande: the ledamöter who came, then the tjänstgörande ersättare, each with the §§ they decide."""
    absent = {p.name for p in record.absent}
    lines = []
    for member in meeting.committee.members:
        if member.name in absent:
            continue
        role = f", {member.role}" if member.role else ""
        paragraphs = _member_paragraphs(record, member)
        lines.append(f"{member.with_party()}{role}{_participation(record, member, paragraphs)}")
    for substitute in record.substitutes:
        paragraphs = _substitute_paragraphs(record, substitute)
        lines.append(f"{substitute.person.with_party()} tjänstgörande ersättare för "
                     f"{substitute.replaces.with_party()}{_participation(record, substitute.person, paragraphs)}")
    return lines


def _deputies(record: Record) -> list[str]:
    """Ersättare present without serving: all of the meeting, or the §§ at which they did not serve."""
    everything = [d.paragraph for d in record.decisions]
    lines = []
    for deputy in record.deputies_present:
        served = {n for sub in record.substitutes if sub.person.name == deputy.name
                  for n in _substitute_paragraphs(record, sub)}
        present = [n for n in everything if n not in served]
        if not served:
            lines.append(deputy.with_party())
        elif present:
            lines.append(f"{deputy.with_party()} ({paragraphs_text(present)})")
    return lines


def attendance(meeting: Meeting, record: Record) -> dict[str, list[str]]:
    """The närvaro lists as printed on the protokoll's first page."""
    absent = {p.name for p in record.absent}
    others = [", ".join(x for x in (p.name, p.title) if x) for p in record.others]
    missing = [p.with_party() for p in meeting.committee.members if p.name in absent]
    return {
        "beslutande": _deciding(meeting, record),
        "ersattare": _deputies(record) or ["–"],
        "ovriga": others or ["–"],
        "franvarande": missing or ["–"],
    }


def common_context(meeting: Meeting, record: Record) -> dict:
    """The protokoll's fields; the utdrag and the anslagsbevis replace what differs for them."""
    committee = meeting.committee
    chair = committee.chair
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
        "justering": _adjustment_record(record),
        **_notice_rows(record),
        "sista_dag": _date(record.last_appeal_day) or "–",
        "forvaring": record.kept_at or "–",
        **attendance(meeting, record),
    }


def _immediate_paragraphs(record: Record) -> str:
    """'§ 34' for the §§ justerade at the meeting."""
    return paragraphs_text([d.paragraph for d in record.immediate])


def _adjustment_record(record: Record) -> str:
    """Justeringens plats och tid, with a line for the §§ justerade at the meeting (a line break in the cell)."""
    text = ", ".join(x for x in (record.adjustment_place, _date(record.adjustment_date)) if x)
    if record.immediate:
        text += (f"\n{_immediate_paragraphs(record)} justerades omedelbart vid sammanträdet "
                 f"{appeal.day(record.meeting_date)}")
    return text.strip()


def _notice_rows(record: Record) -> dict[str, str]:
    """The protokoll's bevis om anslag: the protokoll's notice, and under it that of the §§ justerade at the meeting."""
    main = record.main_notice
    rows = {"justeringsdatum": _date(main.adjusted) or "ej justerat",
            "anslag_upp": _date(main.posted) or "–",
            "anslag_ned": _date(main.take_down) or "–"}
    if record.immediate:
        which, notice = _immediate_paragraphs(record), record.immediate_notice
        rows["justeringsdatum"] += f"\n{which}: {_date(notice.adjusted)} (omedelbar justering)"
        rows["anslag_upp"] += f"\n{which}: {_date(notice.posted) or '–'}"
        rows["anslag_ned"] += f"\n{which}: {_date(notice.take_down) or '–'}"
    return rows


def appeal_sections(meeting: Meeting, record: Record, decisions: list[Decision]) -> list[dict[str, str]]:
    """The överklagandehänvisning for ``decisions``: [{rubrik, text}], a rubrik naming the §§ when it differs."""
    groups = appeal.appeals(meeting, record, decisions)
    every = tuple(d.paragraph for d in decisions)
    named = len(groups) > 1 or (groups and groups[0].paragraphs != every)
    return [{"rubrik": _appeal_heading(group) if named else "", "text": appeal.appeal_text(meeting, group)}
            for group in groups]


def _appeal_heading(group: appeal.Appeal) -> str:
    """'Gäller §§ 31–33, 35–41', 'Gäller § 34 (justerad omedelbart)': never a bare '§ 35' like a § heading."""
    heading = f"Gäller {paragraphs_text(list(group.paragraphs))}"
    if group.notice is not None and group.notice.immediate:
        heading += " (justerade omedelbart)" if len(group.paragraphs) > 1 else " (justerad omedelbart)"
    return heading


# -------------------------------------------------------------- paragraph


def write_paragraph(anchor: Paragraph, meeting: Meeting, record: Record, decision: Decision) -> None:
    """One § of the protokoll, inserted before ``anchor``."""
    item = decision.item
    case = item.case
    _keep_with_next(anchor.insert_paragraph_before(f"§ {decision.paragraph}", style="Heading 1"))
    _keep_with_next(anchor.insert_paragraph_before(item.heading, style="Heading 2"))

    context = case_context(meeting, case, namespace=f"§{decision.paragraph}") if case is not None else None

    def section(title: str, markdown: str = "", lines: list[str] | None = None) -> None:
        if not markdown and not lines:
            return
        _keep_with_next(anchor.insert_paragraph_before(title, style="Heading 3"))
        if markdown:
            insert_markdown(anchor, markdown, heading_shift=-1, context=context)
        for line in lines or []:
            anchor.insert_paragraph_before(line, style="Tät")

    if decision.disqualified:
        section("Jäv", lines=[f"{p.with_party()} anmäler jäv och deltar inte i handläggningen av ärendet."
                             for p in decision.disqualified])
    if case is not None:
        section("Sammanfattning", summary_markdown(case))
        section("Förslag till beslut", case.proposal)
    elif decision.information:
        insert_markdown(anchor, decision.information)
    if decision.motions:
        section("Yrkanden", lines=[motion_line(m) for m in decision.motions])
    if decision.motions or decision.vote is not None or decision.proposition_order:
        section("Propositionsordning", decision.proposition_order or proposition_order(meeting, decision))
    if decision.vote is not None:
        _write_vote(anchor, meeting, record, decision)
    section("Beslut", decision.decision)
    if decision.immediate:
        anchor.insert_paragraph_before("Paragrafen justeras omedelbart.", style="Tät")
    if decision.reservations:
        section("Reservation", lines=[reservation_line(r) for r in decision.reservations])
    if decision.notes:
        section("Protokollsanteckning",
                lines=[f"{n.person.with_party()}: {n.text}" if n.person else n.text for n in decision.notes])
    if decision.dispatch:
        section("Expedieras till", lines=decision.dispatch)
    if case is not None:
        section("Beslutsunderlag", decision_basis_markdown(case))
        context.resolve_links()


def _keep_with_next(paragraph: Paragraph) -> Paragraph:
    """A heading stays on the page of what follows it (also when a template's style forgets to say so)."""
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True
    return paragraph


def summary_markdown(case: Case) -> str:
    """The case's text under Sammanfattning: the Ärendebeskrivning as it is, other sections with their heading."""
    return "\n\n".join(
        (s.markdown if s.heading == "Ärendebeskrivning" else f"### {md_escape(s.heading)}\n\n{s.markdown}")
        for s in case.description if s.markdown.strip() or s.heading != "Ärendebeskrivning"
    )


def decision_basis_markdown(case: Case) -> str:
    """Beslutsunderlag as in the kallelse: the hand-written section, else the tjänsteskrivelse and bilagor."""
    if case.basis.strip():
        return case.basis
    return "\n".join(f"- {md_escape(line)}" for line in case.decision_basis())


def motion_line(motion) -> str:
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
    noun = meeting.committee.body_noun
    if decision.vote is None:
        return f"{text} och finner att {noun} beslutar enligt {_finding(decision)}."
    vote = decision.vote
    yes, no = vote_side(vote, "ja"), vote_side(vote, "nej")
    return (f"{text} och finner att {noun} beslutar {_decides(vote, 'ja')}. Omröstning begärs och verkställs. "
            f"Följande propositionsordning godkänns: Ja-röst för {yes}, nej-röst för {no}.")


def vote_side(vote: votes.Vote, side: str) -> str:
    """What a ja or nej vote is for, as written in protokoll.yaml ('att ärendet avgörs i dag' spelled out)."""
    option = vote.sides[0 if side == "ja" else 1] if vote.sides else None
    if option is not None and option.kind == votes.TODAY:
        return option.label
    return vote.yes_means if side == "ja" else vote.no_means


def _decides(vote: votes.Vote, side: str) -> str:
    """What the committee decides when ``side`` wins, after 'nämnden beslutar'.

    'enligt Jörgen Perssons ändringsyrkande', 'att bifalla …', 'att avslå …' or 'att ärendet avgörs i dag'.
    """
    text = vote_side(vote, side)
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
    anchor.insert_paragraph_before(f"Ja-röst för {vote_side(vote, 'ja')}. Nej-röst för {vote_side(vote, 'nej')}.",
                                   style="Tät")
    rows = ["| Ledamot | Ja | Nej | Avstår |", "| --- | :---: | :---: | :---: |"]
    for person in record.serving(meeting, number):
        choice = vote.votes.get(person.name, "")
        marks = ["X" if choice == c else "" for c in ("ja", "nej", "avstår")]
        rows.append(f"| {md_escape(person.with_party())} | {' | '.join(marks)} |")
    yes, no, abstain = vote.count("ja"), vote.count("nej"), vote.count("avstår")
    rows.append(f"| **Summa** | **{yes}** | **{no}** | **{abstain}** |")
    insert_markdown(anchor, "\n".join(rows))
    anchor.insert_paragraph_before(vote_result(vote, meeting.committee.body_noun), style="Normal")


def vote_result(vote: votes.Vote, noun: str = "nämnden") -> str:
    """The sentence after the vote table; the checks have made sure the vote has a winner."""
    result = vote.outcome
    outcome = _decides(vote, result.side)
    if result.casting is None:
        return (f"Med {result.yes} ja-röster mot {result.no} nej-röster, och {result.abstain} som avstår, beslutar "
                f"{noun} {outcome}.")
    chair = "Ordföranden" if result.casting.role == CHAIR else "Tjänstgörande ordförande"
    return (f"Omröstningen ger {result.yes} ja-röster och {result.no} nej-röster ({result.abstain} avstår). "
            f"{chair} {result.casting.with_party()} har utslagsröst och röstade "
            f"{result.side}: {noun} beslutar {outcome}.")


def reservation_line(reservation) -> str:
    line = f"{reservation.person.with_party()} reserverar sig mot beslutet"
    line += f" {reservation.text.strip()}" if reservation.text else ""
    line = line.rstrip(".") + "."
    if reservation.written is not None:
        line += " Skriftlig reservation finns som bilaga till protokollet."
    return line


def _written_reservations(anchor: Paragraph, meeting: Meeting, decisions: list[Decision]) -> None:
    for decision in decisions:
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
            insert_markdown(anchor, secrecy.public_markdown(reservation.markdown), context=context)
            context.resolve_links()


# -------------------------------------------------------------- justering


def write_immediate_justering(anchor: Paragraph, meeting: Meeting, record: Record, decision: Decision) -> None:
    """At a § justerad at the meeting: when, and the lines the ordförande and the justerare sign on."""
    if not decision.immediate:
        return
    adjusters = _names(record.adjusters)
    who = "ordföranden och justerarna" if len(adjusters) > 1 else "ordföranden och justeraren"
    _keep_with_next(anchor.insert_paragraph_before("Omedelbar justering", style="Heading 3"))
    _keep_with_next(anchor.insert_paragraph_before(
        f"Paragrafen justerades omedelbart vid sammanträdet {appeal.day(record.meeting_date)} av {who}.",
        style="Tät"))
    chair = meeting.committee.chair
    signers = [("Ordförande", chair.with_party() if chair else "")] + [("Justerande", name) for name in adjusters]
    lines = [(line, space) for role, name in signers
             for line, space in ((role, ROLE_SPACE), (SIGNATURE_LINE, SIGNATURE_SPACE), (name, None))]
    for number, (line, space) in enumerate(lines, start=1):
        paragraph = anchor.insert_paragraph_before(line, style="Tät")
        paragraph.paragraph_format.keep_together = True
        paragraph.paragraph_format.space_before = space
        if number < len(lines):
            paragraph.paragraph_format.keep_with_next = True  # the block never splits across pages


def write_appeal_section(anchor: Paragraph, meeting: Meeting, record: Record) -> None:
    """The protokoll's closing section: how each § can be appealed (none when no § can be)."""
    sections = appeal_sections(meeting, record, record.decisions)
    if not sections:
        return
    _keep_with_next(anchor.insert_paragraph_before(APPEAL_HEADING, style="Heading 1"))
    for section in sections:
        if section["rubrik"]:
            rubrik = _keep_with_next(anchor.insert_paragraph_before(section["rubrik"], style="Heading 3"))
            set_outline_level(rubrik, APPEAL_GROUP_LEVEL)  # under 'Hur man överklagar' (H2)
        anchor.insert_paragraph_before(section["text"], style="Normal")


def _utdrag_adjustment(record: Record, decision: Decision) -> str:
    """The line under 'Rätt utdraget intygar'."""
    if decision.immediate:
        return f"Paragrafen justerades omedelbart vid sammanträdet {appeal.day(record.meeting_date)}."
    if record.adjusted:
        return f"Protokollet justerades {appeal.day(record.adjustment_date)}."
    return "Protokollet är ännu inte justerat."


def _notice_intro(meeting: Meeting, record: Record, notice: Notice, paragraphs: str) -> str:
    """The anslagsbevis's first sentences: what was justerat, and where the notice is posted."""
    where = (f"Justeringen har tillkännagivits genom anslag på {meeting.committee.organisation}s digitala "
             "anslagstavla.")
    of_meeting = f"{meeting.committee.name}s sammanträde {appeal.day(meeting.date)}"
    if notice.immediate:
        return f"{paragraphs} i protokollet från {of_meeting} justerades omedelbart vid sammanträdet. {where}"
    text = f"Protokollet från {of_meeting} är justerat. {where}"
    if record.immediate:
        text += (f" {_immediate_paragraphs(record)} justerades omedelbart vid sammanträdet och har ett eget bevis "
                 "om anslag.")
    return text


# -------------------------------------------------------------- documents


def render_protokoll(meeting: Meeting, record: Record, template: Path, out: Path) -> Path:
    context = {**common_context(meeting, record),
               "dokumenttitel": f"Protokoll {meeting.committee.short_name} {meeting.date.isoformat()}"}

    def body(anchor: Paragraph) -> None:
        for decision in record.decisions:
            write_paragraph(anchor, meeting, record, decision)
            write_immediate_justering(anchor, meeting, record, decision)
        write_appeal_section(anchor, meeting, record)
        _written_reservations(anchor, meeting, record.decisions)

    return render_template(template, context, out, body, nested=True)


def render_utdrag(meeting: Meeting, record: Record, decision: Decision, template: Path, out: Path) -> Path:
    """The § verbatim with its justering and written reservations; then the certification and how to appeal."""
    context = {**common_context(meeting, record),
               "dokumenttitel": f"Protokollsutdrag {meeting.committee.short_name} {meeting.date.isoformat()} "
                                f"§ {decision.paragraph}",
               "ojusterat": "" if record.adjusted_at(decision) else NOT_ADJUSTED,
               "justeringsrad": _utdrag_adjustment(record, decision),
               "overklagande": appeal_sections(meeting, record, [decision])}

    def body(anchor: Paragraph) -> None:
        write_paragraph(anchor, meeting, record, decision)
        write_immediate_justering(anchor, meeting, record, decision)
        _written_reservations(anchor, meeting, [decision])

    return render_template(template, context, out, body, nested=True)


def render_anslagsbevis(meeting: Meeting, record: Record, template: Path, out: Path, *,
                        immediate: bool = False) -> Path:
    """The notice of the protokoll's justering, or (``immediate``) of the §§ justerade at the meeting."""
    notice = record.immediate_notice if immediate else record.main_notice
    decisions = [d for d in record.decisions if d.immediate == immediate]
    paragraphs = paragraphs_text([d.paragraph for d in decisions])
    title = "Bevis om anslag, omedelbar justering" if immediate else "Bevis om anslag"
    context = {**common_context(meeting, record),
               "dokumenttitel": f"{title} {meeting.committee.short_name} {meeting.date.isoformat()}",
               "inledning": _notice_intro(meeting, record, notice, paragraphs),
               "paragrafer": paragraphs,
               "justeringsdatum": _date(notice.adjusted) or "–",
               "anslag_upp": _date(notice.posted) or "–",
               "anslag_ned": _date(notice.take_down) or "–",
               "sista_dag": _date(notice.last_appeal_day) or "–",
               "overklagande": appeal_sections(meeting, record, decisions)}
    return render_template(template, context, out)
