"""Generate the docx templates in templates/ (run: make templates).

The templates are ordinary Word files with docxtpl (Jinja) tags; an
organisation may edit them in Word, keeping the tags. This script is how
the shipped versions are made, so that they are reproducible: A4, document
language sv-SE, Liberation Sans throughout, black headings, and a 2.5 cm
bottom margin kept free for the packet's "Sida N av M" stamp.

The paragraph ``{{ innehall }}`` marks where the program inserts generated
content (the agenda, the case text, Markdown bilagor); it must stay a
paragraph of its own.
"""

from __future__ import annotations

import datetime
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Liberation Sans"
LANGUAGE = "sv-SE"
GREY = RGBColor(0x55, 0x55, 0x55)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FIXED_DATE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


# ----------------------------------------------------------------- styles


def _set_font(rpr_parent, size: float | None = None, bold: bool | None = None, color=RGBColor(0, 0, 0)) -> None:
    """Set an explicit font on a style: no theme fonts, no theme colours."""
    font = rpr_parent.font
    rpr = rpr_parent.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
        col = rpr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            if col is not None and col.get(qn(attr)) is not None:
                del col.attrib[qn(attr)]


def _set_language(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")
    document.core_properties.language = LANGUAGE


def _style_document(document) -> None:
    _set_language(document)
    styles = document.styles
    normal = styles["Normal"]
    _set_font(normal, 11)
    for level, size in ((1, 16), (2, 13), (3, 11.5), (4, 11)):
        style = styles[f"Heading {level}"]
        _set_font(style, size, bold=True)
        style.paragraph_format.space_before = Pt(14 if level <= 2 else 10)
        style.paragraph_format.space_after = Pt(4)
        style.font.italic = level == 4
    title = styles["Title"]
    _set_font(title, 18, bold=True)
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    title.paragraph_format.space_after = Pt(12)
    for name in ("Header", "Footer"):
        _set_font(styles[name], 9, color=GREY)
    small = styles.add_style("Liten text", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = normal
    _set_font(small, 9, color=GREY)
    small.paragraph_format.space_after = Pt(0)
    label = styles.add_style("Rubrik kort", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    _set_font(label, 11, bold=True)
    label.paragraph_format.space_before = Pt(10)
    label.paragraph_format.space_after = Pt(2)
    label.paragraph_format.keep_with_next = True
    kind = styles.add_style("Dokumenttyp", WD_STYLE_TYPE.PARAGRAPH)  # PROTOKOLL: the H1 of page 1
    kind.base_style = normal
    _set_font(kind, 13, bold=True)
    kind.paragraph_format.space_before = Pt(8)
    kind.paragraph_format.space_after = Pt(0)
    kind.paragraph_format.keep_with_next = True
    tight = styles.add_style("Tät", WD_STYLE_TYPE.PARAGRAPH)
    tight.base_style = normal
    tight.paragraph_format.space_after = Pt(0)
    # A link that looks like the text around it (agenda item -> its pages). LibreOffice
    # exports a hyperlink only when its runs carry a character style of their own.
    styles.add_style("Ärendelänk", WD_STYLE_TYPE.CHARACTER)
    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    hyperlink.font.underline = True


def _new_document():
    document = docx.Document()
    _style_document(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.6)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    # python-docx starts with one empty paragraph; drop it.
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return document


def _para(container, text: str = "", style: str | None = None, *, bold=False, size=None,
          align=None, space_after=None, color=None):
    """Add a paragraph with one run of ``text``."""
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _first(cell, text: str, **kwargs):
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = kwargs.get("bold") or None
    if kwargs.get("size"):
        run.font.size = Pt(kwargs["size"])
    if kwargs.get("color") is not None:
        run.font.color.rgb = kwargs["color"]
    paragraph.paragraph_format.space_after = Pt(kwargs.get("space_after", 0))
    if kwargs.get("align") is not None:
        paragraph.alignment = kwargs["align"]
    return paragraph


# Where the second column of a layout grid starts (label | value, organisation | kind of document). The grids
# are paragraphs with a tab stop, not Word tables: a tagged PDF would announce a table as data.
VALUE_COLUMN = Cm(8.15)
_OUTLINE_SUCCESSORS = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _outline(paragraph, level: int):
    """The paragraph's outline level, whatever its style: 1-9 a heading (H1-H6 in the PDF), 0 body text."""
    ppr = paragraph._p.get_or_add_pPr()
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level - 1) if level else "9")
    ppr.insert_element_before(element, *_OUTLINE_SUCCESSORS)
    return paragraph


def _in_value_column(paragraph, *, hanging: bool = False):
    """A tab stop at the value column; with ``hanging``, wrapped lines start there too."""
    fmt = paragraph.paragraph_format
    fmt.tab_stops.add_tab_stop(VALUE_COLUMN)
    if hanging:
        fmt.left_indent, fmt.first_line_indent = VALUE_COLUMN, -VALUE_COLUMN
    return paragraph


def _tabbed(container, left: str, right: str, style: str | None = None, **kwargs):
    """``left`` at the margin and ``right`` at the value column, in one paragraph."""
    paragraph = _para(container, f"{left}\t{right}", style, **kwargs)
    return _in_value_column(paragraph)


def _title_block(document, kind: str, lines: list[str]) -> None:
    """Organisation to the left; the kind of document and its details under it in the value column."""
    _tabbed(document, "{{ organisation }}", kind, bold=True, size=13, space_after=0)
    for number, line in enumerate(lines, start=1):
        paragraph = _para(document, line, size=10, space_after=18 if number == len(lines) else 0)
        paragraph.paragraph_format.left_indent = VALUE_COLUMN


def _identification(document, kind: str, *, namnd: bool) -> None:
    """Page 1 of the protokoll and the utdrag: organisation, (nämnd), the kind of document as the H1, the
    meeting's date and OJUSTERAT, as body text (the page header, an artifact, repeats them from page 2)."""
    _para(document, "{{ organisation }}", bold=True, size=12, space_after=0)
    if namnd:
        _para(document, "{{ namnd }}", "Liten text")
    _outline(_para(document, kind, "Dokumenttyp"), 1)
    _para(document, "Sammanträdesdatum {{ datum }}", "Liten text", space_after=8)
    _para(document, "{%p if ojusterat %}", "Tät")
    _para(document, "{{ ojusterat }}", "Tät", bold=True, size=12, color=RED)
    _para(document, "{%p endif %}", "Tät")


def _certified_by(document, label: str) -> list:
    """A label, a line to sign on and the secretary's name under it: one block that never splits.

    Returns the block's paragraphs; a caller that adds a line under the name keeps the name with it.
    """
    heading = _para(document, label, "Rubrik kort")
    heading.paragraph_format.space_before = Pt(20)
    line = _para(document, "_" * 40, "Tät")
    line.paragraph_format.space_before = Pt(20)
    block = [heading, line, _para(document, "{{ sekreterare }}, sekreterare", "Tät")]
    _keep_together(block[:-1])
    for paragraph in block:
        paragraph.paragraph_format.keep_together = True
    return block


def _appeal(document) -> None:
    """Hur man överklagar: the groups the protokoll gives (a heading per group of §§ when they differ)."""
    _para(document, "{%p if overklagande %}", "Tät")
    _keep_together([_outline(_para(document, "Hur man överklagar", "Heading 2"), 2)])
    _para(document, "{%p for grupp in overklagande %}", "Tät")
    _para(document, "{%p if grupp.rubrik %}", "Tät")
    _keep_together([_outline(_para(document, "{{ grupp.rubrik }}", "Rubrik kort"), 3)])
    _para(document, "{%p endif %}", "Tät")
    _para(document, "{{ grupp.text }}")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p endif %}", "Tät")


# -------------------------------------------------------------- templates


def kallelse() -> docx.Document:
    document = _new_document()
    _title_block(document, "KALLELSE", ["med föredragningslista", "Sammanträdesdatum: {{ datum }}"])
    _outline(_para(document, "{{ namnd }}", "Title"), 1)
    _para(document, "Tid: {{ tid }}", "Tät")
    _para(document, "Plats: {{ plats }}", "Tät", space_after=8)

    _para(document, "Ordförande", "Rubrik kort")
    _para(document, "{{ ordforande }}", "Tät")
    _para(document, "{{ rubrik_ledamoter }}", "Rubrik kort")  # "Ledamöter", or the committee's own heading
    _para(document, "{%p for person in ledamoter %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p if ersattare %}", "Tät")
    _para(document, "{{ rubrik_ersattare }}", "Rubrik kort")
    _para(document, "{%p for person in ersattare %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p endif %}", "Tät")
    _para(document, "{%p if ovriga %}", "Tät")
    _para(document, "Övriga", "Rubrik kort")
    _para(document, "{%p for person in ovriga %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p endif %}", "Tät")
    _para(document, "Förhinder anmäls till {{ sekreterare }}, som kallar ersättare.", "Liten text",
          space_after=0).paragraph_format.space_before = Pt(10)
    heading = _outline(_para(document, "Föredragningslista", "Heading 1"), 2)
    heading.paragraph_format.page_break_before = True
    _para(document, "{{ innehall }}")
    return document


CONTACT_LINES = [("{{ person.enhet }}", "enhet"), ("{{ person.namn }}", ""), ("Tfn: {{ person.telefon }}", "telefon"),
                 ("E-post: {{ person.epost }}", "epost")]


def _contact_lines(paragraph) -> None:
    """A handläggare's lines in one paragraph, separated by line breaks; each optional line only with a value
    (the break goes with it: after a line above the name, before a line under it)."""
    above = True
    for text, field in CONTACT_LINES:
        if not field:
            paragraph.add_run(text)
            above = False
            continue
        if above:
            paragraph.add_run(f"{{% if person.{field} %}}{text}")
            paragraph.add_run().add_break()
            paragraph.add_run("{% endif %}")
        else:
            paragraph.add_run(f"{{% if person.{field} %}}")
            paragraph.add_run().add_break()
            paragraph.add_run(f"{text}{{% endif %}}")


def tjansteskrivelse() -> docx.Document:
    document = _new_document()
    heading = _tabbed(document, "{{ organisation }}", "", bold=True, size=13, space_after=6)
    heading.add_run("{{ datum }}")
    kind = _tabbed(document, "Tjänsteskrivelse", "", bold=True, space_after=0)
    kind.add_run("Dnr {{ dnr }}")
    _para(document, "({{ namnd }})", "Liten text", space_after=14)
    # Every handläggare in a paragraph of their own (space between them, not empty paragraphs); each line
    # only when it has a value.
    _para(document, "{%p for person in handlaggarna %}", "Liten text")
    _contact_lines(_para(document, "", "Liten text", space_after=11))
    _para(document, "{%p endfor %}", "Liten text")
    title = _outline(_para(document, "{{ rubrik }}", "Title"), 1)
    title.paragraph_format.space_before = Pt(12)
    _para(document, "{{ innehall }}")
    # The signatures and "Utdrag till" move to the next page as one block
    # rather than leaving a lone name or heading behind. No signatories
    # (undertecknare: []): no "I tjänsten" at all.
    block = []
    _para(document, "{%p if undertecknare %}", "Tät")
    sign = _para(document, "I tjänsten", "Rubrik kort")
    sign.paragraph_format.space_before = Pt(24)
    block.append(sign)
    _para(document, "{%p for person in undertecknare %}", "Tät")
    name = _para(document, "{{ person.namn }}", "Tät")
    name.paragraph_format.space_before = Pt(28)  # room to sign above the name
    block += [name, _para(document, "{{ person.titel }}", "Tät")]
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p endif %}", "Tät")
    utdrag = _para(document, "Utdrag till", "Rubrik kort")
    utdrag.paragraph_format.space_before = Pt(24)
    block.append(utdrag)
    _para(document, "{%p for mottagare in utdrag_till %}", "Tät")
    _para(document, "{{ mottagare }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p if not utdrag_till %}", "Tät")
    _para(document, "–", "Tät")
    _para(document, "{%p endif %}", "Tät")
    for paragraph in block:
        paragraph.paragraph_format.keep_with_next = True
    return document


def avdelare() -> docx.Document:
    document = _new_document()
    _para(document, "{{ namnd }}", "Liten text")
    _para(document, "Sammanträde {{ datum }}", "Liten text")
    number = _outline(_para(document, "Ärende {{ nummer }}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, color=GREY), 1)
    number.paragraph_format.space_before = Cm(6.6)  # the item in the middle of the page
    _outline(_para(document, "{{ rubrik }}", "Title", align=WD_ALIGN_PARAGRAPH.CENTER), 2)
    _para(document, "{%p if dnr %}", "Tät")  # an item without tjänsteskrivelse may have no dnr
    _para(document, "{{ dnr }}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=36)
    _para(document, "{%p endif %}", "Tät")
    _para(document, "Handlingar", "Rubrik kort", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "{%p for handling in handlingar %}", "Tät")
    _para(document, "{{ handling }}", "Tät", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "{%p endfor %}", "Tät")
    return document


def bilaga() -> docx.Document:
    document = _new_document()
    _para(document, "{{ organisation }} – {{ namnd }}", "Liten text")
    _para(document, "Bilaga {{ nummer }} till ärende {{ arende_nummer }}, {{ arende_rubrik }}"
                    "{% if dnr %} ({{ dnr }}){% endif %}", "Liten text", space_after=18)
    _outline(_para(document, "{{ rubrik }}", "Title"), 1)
    _para(document, "{{ innehall }}")
    return document


def innehall() -> docx.Document:
    """The packet's innehållsförteckning: meetingdocs/pdf/toc.py adds one "TOC 1"/"TOC 2" line per document."""
    document = _new_document()
    section = document.sections[0]
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.6)  # the page stamp goes in the bottom 2 cm
    section.left_margin = section.right_margin = Cm(2.5)
    heading = _para(document, "{{ rubrik }}", "Heading 1")
    heading.paragraph_format.space_before = Pt(0)
    _para(document, "{%p for rad in underrubrik %}", "Tät")
    _para(document, "{{ rad }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{{ innehall }}").paragraph_format.space_before = Pt(16)
    for level in (1, 2):
        style = document.styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _set_font(style, 10.5, bold=level == 1)
        fmt = style.paragraph_format
        fmt.left_indent = Cm(0.8 * (level - 1))
        fmt.right_indent = Cm(1.2)  # titles wrap clear of the page numbers
        fmt.space_before = Pt(6 if level == 1 else 0)
        fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(14)
        fmt.keep_together = True
        fmt.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    return document


# ------------------------------------------------------ protokoll templates

RED = RGBColor(0xC0, 0x00, 0x00)


def _field_run(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that LibreOffice and Word fill in."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_numbers(container, align=WD_ALIGN_PARAGRAPH.RIGHT):
    paragraph = container.add_paragraph(style="Footer")
    paragraph.alignment = align
    paragraph.add_run("Sida ")
    _field_run(paragraph, "PAGE")
    paragraph.add_run(" av ")
    _field_run(paragraph, "NUMPAGES")
    return paragraph


def _grid(table, widths) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _minutes_header(section, title: str) -> None:
    """From page 2: organisation left; document kind, date and OJUSTERAT right. Page 1 has no header: its
    body starts with the identification (see _identification), which a tagged PDF reads out. The nämnd is
    named there only: a header (an artifact) of sentence-like length that is not on every page reads as
    hidden prose to an accessibility checker."""
    section.different_first_page_header_footer = True
    # Page 1 starts at the top margin; from page 2 the header pushes the body down to where it always began.
    section.top_margin, section.header_distance = Cm(2.0), Cm(1.0)
    header = section.header
    header.is_linked_to_previous = False
    for p in list(header.paragraphs):
        p._p.getparent().remove(p._p)
    table = header.add_table(rows=1, cols=2, width=Cm(16.3))
    _no_borders(table)
    _grid(table, (Cm(9.3), Cm(7.0)))
    left, right = table.rows[0].cells
    _first(left, "{{ organisation }}", bold=True, size=12)
    _first(right, title, bold=True, size=12)
    _para(right, "Sammanträdesdatum {{ datum }}", "Liten text")
    _para(right, "{{ ojusterat }}", bold=True, size=12, color=RED, space_after=0)
    header.add_paragraph(style="Liten text").paragraph_format.space_after = Pt(14)  # the body from 3.4 cm


def _signature_footer(footer) -> None:
    footer.is_linked_to_previous = False
    for p in list(footer.paragraphs):
        p._p.getparent().remove(p._p)
    table = footer.add_table(rows=1, cols=2, width=Cm(16.3))
    table.style = "Table Grid"
    _grid(table, (Cm(11.3), Cm(5.0)))
    left, right = table.rows[0].cells
    _first(left, "Justerandes signatur", size=7, color=GREY)
    _para(left, "", space_after=10)
    _first(right, "Utdragsbestyrkande", size=7, color=GREY)
    # Clear of the boxes: the page number stands under them, never on their lower edge.
    _page_numbers(footer).paragraph_format.space_before = Pt(6)


def _labelled_rows(document, rows) -> list:
    """Label | value lines as paragraphs: the label, a tab to the value column, the value; a list value gives
    one paragraph per line (the label on the first), a wrapped or broken line continues in the value column.
    Returns the paragraphs."""
    paragraphs = []
    for label, value in rows:
        if value.startswith("list:"):
            _para(document, "{%p for rad in " + value.removeprefix("list:") + " %}", "Tät")
            line = _para(document, "{% if loop.first %}" + label + "{% endif %}", "Tät", bold=True)
            line.add_run("\t{{ rad }}")
            paragraphs.append(_in_value_column(line, hanging=True))
            _para(document, "{%p endfor %}", "Tät")
        else:
            line = _para(document, label, "Tät", bold=True, space_after=4)
            line.add_run("\t" + value)
            paragraphs.append(_in_value_column(line, hanging=True))
    return paragraphs


SIGNATURES = [  # role, text under the role, name under the line; "{%p …%}" repeat the lines between them
    ("Sekreterare", "Paragrafer {{ paragrafer }}", "{{ sekreterare }}"),
    ("Ordförande", "", "{{ ordforande }}"),
    "{%p for person in justerare %}",
    ("Justerande", "", "{{ person }}"),
    "{%p endfor %}",
]


def _signatures(document) -> None:
    """Every signature of the protokoll: the role, the line to sign on and the name in the value column.

    The block moves to the next page as a whole, never split: every paragraph keeps with the next but the
    last justerare's name, where the block ends (not at the next heading).
    """
    for entry in SIGNATURES:
        if isinstance(entry, str):
            _para(document, entry, "Tät")
            continue
        role, extra, name = entry
        block = [_para(document, role, "Tät", bold=True)]
        block[0].paragraph_format.space_before = Pt(6)
        if extra:
            block.append(_para(document, extra, "Liten text"))
        line = _para(document, "_" * 32, "Tät")
        line.paragraph_format.space_before = Pt(0 if extra else 6)
        block.append(line)
        _keep_together(block)
        for paragraph in block:
            paragraph.paragraph_format.keep_together = True
            paragraph.paragraph_format.left_indent = VALUE_COLUMN if paragraph is line else None
        if role == "Justerande":
            _para(document, "{%p if not loop.last %}", "Tät")
            _name_line(document, name, keep=True)
            _para(document, "{%p else %}", "Tät")
            _name_line(document, name, keep=False)
            _para(document, "{%p endif %}", "Tät")
        else:
            _name_line(document, name, keep=True)


def _name_line(document, name: str, *, keep: bool):
    paragraph = _para(document, name, "Tät")
    paragraph.paragraph_format.left_indent = VALUE_COLUMN
    paragraph.paragraph_format.keep_together = True
    paragraph.paragraph_format.keep_with_next = keep
    return paragraph


def _keep_together(paragraphs) -> None:
    for paragraph in paragraphs:
        paragraph.paragraph_format.keep_with_next = True


NOTICE_ROWS = [
    ("Organ", "{{ namnd }}"),
    ("Sammanträdesdatum", "{{ datum }}"),
    ("Paragrafer", "{{ paragrafer }}"),
    ("Datum för justering", "{{ justeringsdatum }}"),
    ("Anslaget sätts upp", "{{ anslag_upp }}"),
    ("Anslaget tas ned", "{{ anslag_ned }}"),
    ("Förvaringsplats för protokollet", "{{ forvaring }}"),
]


def protokoll() -> docx.Document:
    document = _new_document()
    section = document.sections[0]
    section.bottom_margin = Cm(3.2)
    section.footer_distance = Cm(0.8)
    _minutes_header(section, "PROTOKOLL")
    _signature_footer(section.footer)
    _signature_footer(section.first_page_footer)
    # No line of a paragraph alone at the foot or the head of a page: a § heading keeps its first lines.
    document.styles["Normal"].paragraph_format.widow_control = True
    _identification(document, "PROTOKOLL", namnd=False)
    _outline(_para(document, "{{ namnd }}", "Title"), 0)  # the nämnd, large; the H1 is PROTOKOLL above it
    _labelled_rows(document, [
        ("Plats och tid", "{{ plats_och_tid }}"),
        ("Beslutande", "list:beslutande"),
        ("Ersättare", "list:ersattare"),
        ("Övriga närvarande", "list:ovriga"),
        ("Frånvarande", "list:franvarande"),
        ("Utses att justera", "list:justerare_namn"),
        ("Justeringens plats och tid", "{{ justering }}"),
    ])
    underskrifter = _outline(_para(document, "Underskrifter", "Heading 2"), 2)
    underskrifter.paragraph_format.keep_with_next = True
    _signatures(document)
    _keep_together([
        _outline(_para(document, "Bevis om anslag", "Heading 2"), 2),
        _para(document, "Justeringen har tillkännagivits genom anslag på {{ organisation }}s digitala "
                        "anslagstavla.", "Liten text", space_after=4),
    ])
    _keep_together(_labelled_rows(document, NOTICE_ROWS)[:-1])
    heading = _outline(_para(document, "Paragrafer", "Heading 1"), 2)
    heading.paragraph_format.page_break_before = True
    _para(document, "{{ innehall }}")
    return document


def utdrag() -> docx.Document:
    document = _new_document()
    section = document.sections[0]
    _minutes_header(section, "PROTOKOLLSUTDRAG")
    _page_numbers(section.footer)
    _page_numbers(section.first_page_footer)
    _identification(document, "PROTOKOLLSUTDRAG", namnd=True)
    _para(document, "{{ innehall }}")
    block = _certified_by(document, "Rätt utdraget intygar")
    _keep_together(block)  # the justering line stays with the signature
    _para(document, "{{ justeringsrad }}", "Liten text").paragraph_format.space_before = Pt(8)
    _appeal(document)
    return document


def anslagsbevis() -> docx.Document:
    document = _new_document()
    _title_block(document, "ANSLAG", ["Digital anslagstavla"])
    _outline(_para(document, "Bevis om anslag", "Title"), 1)
    _para(document, "{{ inledning }}")  # what was justerat (the protokoll, or §§ justerade at the meeting)
    _labelled_rows(document, NOTICE_ROWS)
    _appeal(document)
    _certified_by(document, "Intygas")
    return document


TEMPLATES_BUILT = {
    "kallelse.docx": kallelse,
    "tjansteskrivelse.docx": tjansteskrivelse,
    "avdelare.docx": avdelare,
    "bilaga.docx": bilaga,
    "innehall.docx": innehall,
    "protokoll.docx": protokoll,
    "utdrag.docx": utdrag,
    "anslagsbevis.docx": anslagsbevis,
}


def _fix_zip_dates(path: Path) -> None:
    """Rewrite the docx with fixed entry dates so that its bytes are reproducible."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for filename, data in entries:
            info = zipfile.ZipInfo(filename, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def main(target: Path = TEMPLATES) -> int:
    target.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES_BUILT.items():
        document = build()
        properties = document.core_properties
        properties.author = properties.last_modified_by = "meetingdocs"
        properties.title = name.removesuffix(".docx")
        # Fixed dates and revision: the same script gives the same files.
        properties.created = properties.modified = FIXED_DATE
        properties.revision = 1
        document.save(target / name)
        _fix_zip_dates(target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES))
