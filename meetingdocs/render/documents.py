"""Render the meeting's documents as docx through the templates.

docxtpl fills in the template's fields (with autoescape: text from the
sources is data, never template code); generated content (the agenda, case
text, Markdown bilagor) is then inserted with python-docx at the paragraph
``{{ innehall }}``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Callable

import copy

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate

from ..docx_support import StyleIndex, nest_headings
from ..markdown_docx import (HYPERLINK_COLOR, HYPERLINK_STYLE, MarkdownContext, bookmark_heading, insert_markdown,
                             remove_paragraph)
from ..markdown_tree import bare_urls, top_heading_level
from ..model import VICE_CHAIRS, AgendaItem, Attachment, Case, Contact, Meeting, Person
from ..sources import BASIS, PROPOSAL

ANCHOR = "@@INNEHALL@@"
LINK_PREFIX = "https://paket.invalid/arende/"  # rewritten to in-document links in the PDF

Body = Callable[[Paragraph], None]


def item_link(number: int) -> str:
    return f"{LINK_PREFIX}{number}"


def render_template(template: Path, context: dict, out: Path, body: Body | None = None, *,
                    nested: bool = False) -> Path:
    """Fill ``template`` with ``context``; let ``body`` fill the anchor paragraph.

    ``nested``: the body's headings ('Heading N') are read one level down (H N+1), under the document's title,
    the one H1; headings with an outline level of their own (the template's) keep it.
    """
    tpl = DocxTemplate(template)
    tpl.render({**context, "innehall": ANCHOR}, autoescape=True)
    buffer = io.BytesIO()
    tpl.save(buffer)
    buffer.seek(0)
    document = docx.Document(buffer)
    anchor = _find_anchor(document)
    if anchor is not None:
        if body is not None:
            body(anchor)
        remove_paragraph(anchor)
    if nested:
        nest_headings(document)
    link_bare_addresses(document)
    document.core_properties.title = context.get("dokumenttitel", "")
    document.core_properties.author = context.get("namnd", "")
    document.core_properties.language = "sv-SE"
    document.save(out)
    return out


def link_bare_addresses(document) -> None:
    """Web and e-mail addresses that the templates print (a handläggare's e-post) become links, as they do
    in Markdown text: a reader can follow them, and PDF/UA wants every address to be a link. Only the body:
    page headers and footers are artifacts, where a link would be hidden from assistive technology."""
    style_id = None
    for run in list(document.element.body.iter(qn("w:r"))):
        if run.getparent().tag != qn("w:p") or not _plain_text_run(run):
            continue
        pieces = bare_urls(run.findtext(qn("w:t")) or "")
        if all(target is None for _, target in pieces):
            continue
        style_id = style_id or _hyperlink_style(document)
        for text, target in pieces:
            run.addprevious(_link(document, run, text, target, style_id) if target else _run_copy(run, text))
        run.getparent().remove(run)


def _plain_text_run(run) -> bool:
    return [child.tag for child in run if child.tag != qn("w:rPr")] == [qn("w:t")]


def _run_copy(run, text: str):
    piece = copy.deepcopy(run)
    t = piece.find(qn("w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return piece


def _link(document, run, text: str, target: str, style_id: str):
    piece = _run_copy(run, text)
    piece.get_or_add_rPr().style = style_id
    r_id = document.part.relate_to(target, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id, qn("w:history"): "1"})
    link.append(piece)
    return link


def _hyperlink_style(document) -> str:
    styles = StyleIndex(document)
    if not styles.has(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER):
        style = styles.add(f"{HYPERLINK_STYLE} adress" if styles.exists(HYPERLINK_STYLE) else HYPERLINK_STYLE,
                           WD_STYLE_TYPE.CHARACTER)
        style.font.color.rgb = HYPERLINK_COLOR
        style.font.underline = WD_UNDERLINE.SINGLE
        return style.style_id
    return styles.raw_id(HYPERLINK_STYLE)


def _find_anchor(document) -> Paragraph | None:
    for paragraph in document.paragraphs:
        if paragraph.text.strip() == ANCHOR:
            return paragraph
    return None


# ---------------------------------------------------------------- helpers


def _person_line(person: Person) -> str:
    line = person.with_party()
    if person.role in VICE_CHAIRS:
        line += f", {person.role.capitalize()}"
    if person.title:
        line += f", {person.title}"
    return line


def _time_line(time: str) -> str:
    return f"kl. {time}" if time else ""


def presenter_line(item: AgendaItem) -> str:
    """"Föredragande: Namn, kl. 10:30"; only "kl. 10:30" when no one presents; "" when neither is given."""
    when = _time_line(item.time)
    if not item.presenter:
        return when
    return f"Föredragande: {', '.join(x for x in (item.presenter, when) if x)}"


def has_documents(case: Case) -> bool:
    """Whether the item has handlingar in the packet: a tjänsteskrivelse or bilagor."""
    return case.has_report or bool(case.attachments)


def md_escape(text: str) -> str:
    """Text as a literal in Markdown."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)


def _bullets(anchor: Paragraph, lines: list[str]) -> None:
    insert_markdown(anchor, "\n".join(f"- {md_escape(line)}" for line in lines))


def _lines(anchor: Paragraph, lines: list[str], style: str = "Tät") -> None:
    for line in lines:
        anchor.insert_paragraph_before(line, style=style)


def _heading(anchor: Paragraph, text: str, level: int) -> Paragraph:
    return anchor.insert_paragraph_before(text, style=f"Heading {level}")


def case_context(meeting: Meeting, case: Case, namespace: str = "") -> MarkdownContext:
    """What the Markdown of ``case``'s tjänsteskrivelse needs: its folder for
    images, its footnotes and its headings for #links."""
    texts = ([s.markdown for s in case.description] + [case.proposal] + [s.markdown for s in case.after_proposal]
             + [case.basis])
    return MarkdownContext.for_file(case.source, meeting.folder, texts, namespace)


def _section(anchor: Paragraph, heading: str, markdown: str, level: int, context: MarkdownContext,
             *, shift: int = 0, also: tuple[str, ...] = ()) -> None:
    """A section of a tjänsteskrivelse: its heading (a #link target) and its text."""
    bookmark_heading(_heading(anchor, heading, level), heading, context, *also)
    insert_markdown(anchor, markdown, heading_shift=shift, context=context)


def add_hyperlink(paragraph: Paragraph, url: str, style: str = "Ärendelänk") -> None:
    """Wrap all runs of ``paragraph`` in one external hyperlink to ``url``.

    The runs get the character style ``style``: LibreOffice drops links whose
    runs have the default character style when it exports to PDF.
    """
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    for run in paragraph.runs:
        run.style = paragraph.part.document.styles[style]
        link.append(run._r)
    paragraph._p.append(link)


def _common(meeting: Meeting) -> dict:
    committee = meeting.committee
    return {
        "organisation": committee.organisation,
        "namnd": committee.name,
        "kortnamn": committee.short_name,
        "datum": meeting.date.isoformat(),
    }


# --------------------------------------------------------------- kallelse


def render_kallelse(meeting: Meeting, template: Path, out: Path, *, links: bool) -> Path:
    """The notice and agenda; ``links`` marks agenda items for the PDF."""
    committee = meeting.committee
    chair = committee.chair
    secretary = committee.secretary
    contact = ", ".join(x for x in (secretary.name, secretary.phone, secretary.email) if x)
    context = {
        **_common(meeting),
        "dokumenttitel": f"Kallelse {committee.short_name} {meeting.date.isoformat()}",
        "tid": _time_line(meeting.time),
        "plats": meeting.place,
        "ordforande": _person_line(chair) if chair else "",
        "ledamoter": [_person_line(p) for p in committee.members_except_chair()],
        "ersattare": [_person_line(p) for p in committee.deputies],
        "rubrik_ledamoter": committee.member_heading,
        "rubrik_ersattare": committee.deputy_heading,
        "ovriga": [_person_line(p) for p in meeting.others],
        "sekreterare": contact,
    }
    return render_template(template, context, out, lambda anchor: _agenda(anchor, meeting, links), nested=True)


def without_item_links(kallelse: Path, out: Path) -> Path:
    """The kallelse rendered with ``links=True`` as if rendered without: the agenda's item links (which only
    the packet's PDF can follow) taken out, their text and formatting kept. Cheaper than rendering again."""
    document = docx.Document(kallelse)
    part = document.part
    for link in list(document.element.body.iter(qn("w:hyperlink"))):
        r_id = link.get(qn("r:id"))
        if r_id is None or not part.rels[r_id].target_ref.startswith(LINK_PREFIX):
            continue
        for run in list(link.iterchildren(qn("w:r"))):
            _drop_run_style(run)
            link.addprevious(run)
        link.getparent().remove(link)
        part.drop_rel(r_id)
    document.save(out)
    return out


def _drop_run_style(run) -> None:
    properties = run.find(qn("w:rPr"))
    if properties is None:
        return
    for style in properties.findall(qn("w:rStyle")):
        properties.remove(style)
    if len(properties) == 0:
        run.remove(properties)


def _agenda(anchor: Paragraph, meeting: Meeting, links: bool) -> None:
    for item in meeting.agenda:
        if item.kind == "break":
            paragraph = anchor.insert_paragraph_before(style="Rubrik kort")
            run = paragraph.add_run(" ".join(x for x in ("Paus", _time_line(item.time)) if x))
            run.italic = True
            continue
        heading = _heading(anchor, f"{item.number}. {item.heading}", 2)
        if links and item.case is not None and has_documents(item.case):
            add_hyperlink(heading, item_link(item.number))
        if presenter := presenter_line(item):
            line = anchor.insert_paragraph_before(presenter, style="Liten text")
            line.paragraph_format.keep_with_next = True
        if item.case is not None:
            _agenda_case(anchor, item.case, case_context(meeting, item.case, namespace=str(item.number)))


def _agenda_case(anchor: Paragraph, case: Case, context: MarkdownContext) -> None:
    """The item's text in the agenda. Sections after the proposal belong to the tjänsteskrivelse; an item
    without one shows them here."""
    for section in case.description:
        _section(anchor, section.heading, section.markdown, 3, context, shift=-1)
    if case.proposal:
        _section(anchor, PROPOSAL, case.proposal, 3, context, shift=-1)
    if not case.has_report:
        for section in case.after_proposal:
            _section(anchor, section.heading, section.markdown, 3, context, shift=-1)
    if case.dispatch:
        _heading(anchor, "Expedieras till", 3)
        _lines(anchor, case.dispatch)
    _decision_basis(anchor, case, context)
    context.resolve_links()


def _decision_basis(anchor: Paragraph, case: Case, context: MarkdownContext) -> None:
    """The hand-written Beslutsunderlag, else the generated list; nothing when there is neither."""
    if case.basis:
        _section(anchor, BASIS, case.basis, 3, context, shift=-1)
    elif basis := case.decision_basis():
        _heading(anchor, BASIS, 3)
        _bullets(anchor, basis)


# ------------------------------------------------------- tjänsteskrivelse


def render_tjansteskrivelse(meeting: Meeting, item: AgendaItem, template: Path, out: Path) -> Path:
    case = item.case
    officers = [_officer(o) for o in case.officers]
    context = {
        **_common(meeting),
        "dokumenttitel": f"Tjänsteskrivelse – {case.title}",
        "datum": case.date.isoformat() if case.date else "",
        "dnr": case.dnr,
        "rubrik": case.title,
        "handlaggarna": officers,
        "handlaggare": officers[0] if officers else _officer(Contact(name="")),  # templates made before lists
        "undertecknare": [{"namn": s.name, "titel": s.title} for s in case.signatories],
        "utdrag_till": case.dispatch,
    }
    markdown = case_context(meeting, case)
    heading = case.proposal_heading or meeting.committee.proposal_heading
    return render_template(template, context, out, lambda anchor: _case_body(anchor, case, heading, markdown))


def _officer(officer: Contact) -> dict:
    return {"enhet": officer.unit, "namn": officer.name, "titel": officer.title, "telefon": officer.phone,
            "epost": officer.email}


def _case_body(anchor: Paragraph, case: Case, proposal_heading: str, context: MarkdownContext) -> None:
    for section in case.description:
        _section(anchor, section.heading, section.markdown, 2, context)
    _section(anchor, proposal_heading, case.proposal, 2, context, also=(PROPOSAL,))
    for section in case.after_proposal:
        _section(anchor, section.heading, section.markdown, 2, context)
    context.resolve_links()


# -------------------------------------------------------------- separator


def document_titles(case: Case) -> list[str]:
    """The documents of a case as listed on its separator and in the TOC."""
    report = ["Tjänsteskrivelse"] if case.has_report else []
    return report + [attachment_label(a) for a in case.attachments]


def attachment_label(attachment: Attachment) -> str:
    return f"Bilaga {attachment.number}: {attachment.title}"


def render_separator(meeting: Meeting, item: AgendaItem, template: Path, out: Path) -> Path:
    context = {
        **_common(meeting),
        "dokumenttitel": f"Ärende {item.number}: {item.title}",
        "nummer": item.number,
        "rubrik": item.title,
        "dnr": item.case.dnr,
        "handlingar": document_titles(item.case),
    }
    return render_template(template, context, out)


# -------------------------------------------------------- markdown bilaga


def render_markdown_attachment(meeting: Meeting, item: AgendaItem, attachment: Attachment,
                               template: Path, out: Path) -> Path:
    title = attachment.heading or attachment.title
    context = {
        **_common(meeting),
        "dokumenttitel": title,
        "nummer": attachment.number,
        "arende_nummer": item.number,
        "arende_rubrik": item.title,
        "dnr": item.case.dnr,
        "rubrik": title,
    }
    markdown = MarkdownContext.for_file(attachment.path, meeting.folder, [attachment.markdown])
    return render_template(template, context, out,
                           lambda anchor: _markdown_body(anchor, attachment.markdown, markdown), nested=True)


def _markdown_body(anchor: Paragraph, text: str, context: MarkdownContext) -> None:
    """A Markdown bilaga under its title: its shallowest heading ('#' or '##') becomes the
    level right below the title, so that no heading level is skipped."""
    top = top_heading_level(text) or 1
    insert_markdown(anchor, text, heading_shift=top - 1, context=context)
    context.resolve_links()
