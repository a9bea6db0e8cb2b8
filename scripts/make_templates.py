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

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Liberation Sans"
LANGUAGE = "sv-SE"
GREY = RGBColor(0x55, 0x55, 0x55)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


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


def _header_table(document, widths=(Cm(9.8), Cm(6.5))):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    _no_borders(table)
    for cell, width in zip(table.rows[0].cells, widths):
        cell.width = width
        # Cells start with one empty paragraph: reuse it for the first line.
    return table.rows[0].cells


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


# -------------------------------------------------------------- templates


def kallelse() -> docx.Document:
    document = _new_document()
    left, right = _header_table(document)
    _first(left, "{{ organisation }}", bold=True, size=13)
    _first(right, "KALLELSE", bold=True, size=13)
    _para(right, "med föredragningslista", size=10, space_after=0)
    _para(right, "Sammanträdesdatum: {{ datum }}", size=10, space_after=0)
    _para(document, "", space_after=6)
    _para(document, "{{ namnd }}", "Title")
    _para(document, "Tid: {{ tid }}", "Tät")
    _para(document, "Plats: {{ plats }}", "Tät", space_after=8)

    _para(document, "Ordförande", "Rubrik kort")
    _para(document, "{{ ordforande }}", "Tät")
    _para(document, "Ledamöter", "Rubrik kort")
    _para(document, "{%p for person in ledamoter %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "Ersättare", "Rubrik kort")
    _para(document, "{%p for person in ersattare %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p if ovriga %}", "Tät")
    _para(document, "Övriga", "Rubrik kort")
    _para(document, "{%p for person in ovriga %}", "Tät")
    _para(document, "{{ person }}", "Tät")
    _para(document, "{%p endfor %}", "Tät")
    _para(document, "{%p endif %}", "Tät")
    _para(document, "Förhinder anmäls till {{ sekreterare }}, som kallar ersättare.", "Liten text",
          space_after=0).paragraph_format.space_before = Pt(10)
    heading = _para(document, "Föredragningslista", "Heading 1")
    heading.paragraph_format.page_break_before = True
    _para(document, "{{ innehall }}")
    return document


def tjansteskrivelse() -> docx.Document:
    document = _new_document()
    left, right = _header_table(document)
    _first(left, "{{ organisation }}", bold=True, size=13, space_after=6)
    _para(left, "Tjänsteskrivelse", bold=True, space_after=0)
    _para(left, "({{ namnd }})", "Liten text")
    _first(right, "{{ datum }}", space_after=0)
    _para(right, "Dnr {{ dnr }}", space_after=0)
    _para(document, "", space_after=4)
    _para(document, "{{ handlaggare.enhet }}", "Liten text")
    _para(document, "{{ handlaggare.namn }}", "Liten text")
    _para(document, "{%p if handlaggare.telefon %}", "Liten text")
    _para(document, "Tfn: {{ handlaggare.telefon }}", "Liten text")
    _para(document, "{%p endif %}", "Liten text")
    _para(document, "{%p if handlaggare.epost %}", "Liten text")
    _para(document, "E-post: {{ handlaggare.epost }}", "Liten text")
    _para(document, "{%p endif %}", "Liten text")
    _para(document, "", space_after=6)
    _para(document, "{{ rubrik }}", "Title")
    _para(document, "{{ innehall }}")
    # The signatures and "Utdrag till" move to the next page as one block
    # rather than leaving a lone name or heading behind.
    block = []
    sign = _para(document, "I tjänsten", "Rubrik kort")
    sign.paragraph_format.space_before = Pt(24)
    block.append(sign)
    _para(document, "{%p for person in undertecknare %}", "Tät")
    signature = _para(document, "", "Tät")
    signature.paragraph_format.space_before = Pt(14)
    block += [signature, _para(document, "{{ person.namn }}", "Tät"), _para(document, "{{ person.titel }}", "Tät")]
    _para(document, "{%p endfor %}", "Tät")
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
    spacer = _para(document, "")
    spacer.paragraph_format.space_before = Cm(6)
    _para(document, "Ärende {{ nummer }}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, color=GREY)
    _para(document, "{{ rubrik }}", "Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "{{ dnr }}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=36)
    _para(document, "Handlingar", "Rubrik kort", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "{%p for handling in handlingar %}", "Tät")
    _para(document, "{{ handling }}", "Tät", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "{%p endfor %}", "Tät")
    return document


def bilaga() -> docx.Document:
    document = _new_document()
    _para(document, "{{ organisation }} – {{ namnd }}", "Liten text")
    _para(document, "Bilaga {{ nummer }} till ärende {{ arende_nummer }}, {{ arende_rubrik }} ({{ dnr }})",
          "Liten text", space_after=18)
    _para(document, "{{ rubrik }}", "Title")
    _para(document, "{{ innehall }}")
    return document


TEMPLATES_BUILT = {
    "kallelse.docx": kallelse,
    "tjansteskrivelse.docx": tjansteskrivelse,
    "avdelare.docx": avdelare,
    "bilaga.docx": bilaga,
}


def main(target: Path = TEMPLATES) -> int:
    target.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES_BUILT.items():
        document = build()
        document.core_properties.author = "meetingdocs"
        document.core_properties.title = name.removesuffix(".docx")
        document.save(target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES))
