#!/usr/bin/env python3
"""Regenerate the binary bilagor of the demo meeting sources/2020-12-11/.

The demo meeting reproduces the published packet of Region Jämtland
Härjedalen's Gemensam nämnd för samverkan (GNS), 2020-12-11 (see
sources/PROVENANCE.md).  Two of its attachments are earlier
protokollsutdrag which the tool must be able to take in as they come from
the diarium: one as PDF, one as Word.  They are rebuilt here from the text
in the published packet, so that the repository holds no hand-made binary:

    sources/2020-12-11/revisionsrapport/protokollsutdrag-2020-05-29-14.pdf
    sources/2020-12-11/aterstaende-medel-2018/protokollsutdrag-2020-02-14-8.docx

Both are A4 in Liberation Sans, laid out like a Swedish protokollsutdrag
(committee name and meeting date in the page head, "Justerandes signatur"
and "Utdragsbestyrkande" boxes at the foot) and leave the bottom 2.5 cm of
every page empty for the packet's page stamp.  The output is byte-for-byte
reproducible: running the script twice gives identical files.

Usage:  .venv/bin/python scripts/make_demo_attachments.py [--outdir DIR]

With --outdir both files are written into DIR instead of their item folders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEETING = ROOT / "sources" / "2020-12-11"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")

PDF_TARGET = MEETING / "revisionsrapport" / "protokollsutdrag-2020-05-29-14.pdf"
DOCX_TARGET = MEETING / "aterstaende-medel-2018" / "protokollsutdrag-2020-02-14-8.docx"

COMMITTEE = "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"
# The committee name as it is broken over three lines in the page head of
# the committee's protokoll.
COMMITTEE_LINES = (
    "Gemensam nämnd för samverkan",
    "inom drift och service, utveckling",
    "samt specialistfunktioner",
)
ORGANISATION = "Region Jämtland Härjedalen"

STAMP_STRIP_CM = 2.5  # empty strip at the bottom of every page
SIGN_BOX_CM = 1.6  # height of the signature boxes above the strip

# ---------------------------------------------------------------------------
# The texts, from the published packet (shared/reference).
# ---------------------------------------------------------------------------

P14 = {
    "datum": "2020-05-29",
    "paragraf": "§14",
    "rubrik": (
        "Revisionsrapport granskning av gemensam nämnd för samverkan inom drift och "
        "service, utveckling samt specialistfunktioner (GNS/6/2020)"
    ),
    "sammanfattning": [
        "Regionens revisorer granskar årligen i den omfattning som följer av god "
        "revisionsred all verksamhet som bedrivs inom styrelsen och nämndernas "
        "verksamhetsområden. Revisorerna prövar om verksamheten sköts på ett "
        "ändamålsenligt och från ekonomisk synpunkt tillfredsställande sätt, om "
        "räkenskaperna är rättvisande och om den interna kontrollen är tillräcklig.",
        "Det övergripande syftet med granskningen har varit att bedöma om Gemensamma "
        "nämnden för samverkan inom drift och service, utveckling samt "
        "specialistfunktioner skapat förutsättningar för tillräcklig styrning, "
        "uppföljning och kontroll av verksamheten. Följande revisionsfrågor har "
        "besvarats:",
        [
            "När nämnden målet för verksamheten?",
            "Finns en tillfredsställande ekonomisk uppföljning och rapportering?",
            "Finns tydliga beslutsunderlag och protokoll?",
        ],
        "Den sammanfattande bedömningen är att nämndens beslutsunderlag och protokoll "
        "är tydliga. Nämndens ekonomiska uppföljning och rapportering bedöms som i "
        "huvudsak tillfredsställande, men bör framledes utvecklas något för externa "
        "intressenter. Region Jämtland Härjedalens regler för arbete med och "
        "uppföljning av den interna kontrollen har inte följts. Det finns behov av "
        "att klargöra processen för fastställande av nämndens budget. "
        "Sammanfattningsvis bedömer revisorerna att nämnden inte i tillräcklig grad "
        "har skapat förutsättningar för tillräcklig styrning, uppföljning och kontroll "
        "av verksamheten. De ovan beskrivna bristerna är oacceptabla och måste "
        "åtgärdas.",
    ],
    "forslag": "Nämnden har tagit del av rapporten och lägger den till handlingarna.",
    "yrkanden": (
        "Susanne Hansson (S) yrkar följande i en beslutspunkt 2: Nämnden uppdrar till "
        "regiondirektören att inom ramen för översynen av gemensamma nämnder, åtgärda "
        "de brister som framkommit i revisionsrapporten."
    ),
    "propositionsordning": (
        "Ordförande ställer proposition på Susanne Hanssons yrkande och finner det antaget."
    ),
    "beslut": [
        "Nämnden har tagit del av rapporten och lägger den till handlingarna.",
        "Nämnden uppdrar till regiondirektören att inom ramen för översynen av "
        "gemensamma nämnder, åtgärda de brister som framkommit i revisionsrapporten.",
    ],
    "beslutsunderlag": [
        "Tjänsteskrivelse Revisionsrapport granskning av gemensam nämnd för samverkan",
        "Grundläggande granskning av Gemensam nämnd för samverkan, drift, service, "
        "utveckling samt specialistfunktioner",
    ],
}

P8 = {
    "datum": "2020-02-14",
    "paragraf": "§8",
    "rubrik": "Återstående medel från 2018 (GNS/2/2020)",
    "sammanfattning": [
        "I årsredovisningen för 2018 redovisades ett överskott på 745 tkr. Dessa "
        "återstående medel för nämnden reserverades till 2019. I februari 2019 fattade "
        "nämnden beslut om att genomföra en förstudie kring samverkan inom "
        "IT-serverdrift. Till förstudien anlätades en konsult som finansierades av "
        "nämndens återstående medel där den totala kostnaden inte fick överstiga 360 tkr.",
        "I oktober 2019 beslutade nämnden att respektive part skulle fylla i en "
        "projektmall för projektet Digital transformation, samt förankra projektet på "
        "tjänstemannanivå. I december 2019 skickade e-strategen ut ett förslag som "
        "initierats från nämndens ordförande, att finansiera projektet med det medel "
        "som fortfarande fanns kvar i nämnden från 2018. Tre av nämndens parter har "
        "visat intresse av att ingå i ett sådant projekt.",
        "De alternativ som finns är att använda de återstående medlen till att "
        "finansiera projekt Digital transformation, beroende på om projektet beviljas "
        "externa medel eller inte. Resterande medel kan avsättas till aktiviteter "
        "kopplat till ramverket för digital samverkan.",
        "I dagsläget uppgår de återstående medlen till knappt 417 tkr.",
    ],
    "forslag": [
        "Återstående medel från 2018 används till att finansiera projekt Digital transformation.",
        "Eventuella resterande medel används till aktiviteter kopplat till Svenskt ramverk "
        "för digital samverkan.",
    ],
    "beslut": [
        "Återstående medel från 2018 används till att finansiera projekt Digital transformation.",
        "Eventuella resterande medel används till aktiviteter kopplat till Svenskt ramverk "
        "för digital samverkan.",
    ],
    "expedieras": ["Ekonom"],
    "beslutsunderlag": ["Tjänsteskrivelse Återstående medel från 2018"],
}


# ---------------------------------------------------------------------------
# §14 as PDF (reportlab)
# ---------------------------------------------------------------------------


def build_pdf_14(target: Path) -> None:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import (
        Frame,
        KeepTogether,
        ListFlowable,
        ListItem,
        PageTemplate,
        Paragraph,
        Spacer,
    )
    from reportlab.platypus.doctemplate import BaseDocTemplate
    from reportlab.lib.fonts import addMapping

    for face, fname in (
        ("LiberationSans", "LiberationSans-Regular.ttf"),
        ("LiberationSans-Bold", "LiberationSans-Bold.ttf"),
        ("LiberationSans-Italic", "LiberationSans-Italic.ttf"),
        ("LiberationSans-BoldItalic", "LiberationSans-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(face, str(FONT_DIR / fname)))
    addMapping("LiberationSans", 0, 0, "LiberationSans")
    addMapping("LiberationSans", 1, 0, "LiberationSans-Bold")
    addMapping("LiberationSans", 0, 1, "LiberationSans-Italic")
    addMapping("LiberationSans", 1, 1, "LiberationSans-BoldItalic")

    page_w, page_h = A4
    left, right = 2.5 * cm, 2.0 * cm
    top = 4.3 * cm  # room for the page head
    bottom = (STAMP_STRIP_CM + SIGN_BOX_CM + 0.6) * cm

    body = ParagraphStyle(
        "body", fontName="LiberationSans", fontSize=10.5, leading=14,
        spaceAfter=7, alignment=TA_LEFT,
    )
    heading = ParagraphStyle(
        "heading", parent=body, fontName="LiberationSans-Bold", fontSize=11,
        leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1,
    )
    paragraf = ParagraphStyle(
        "paragraf", parent=body, fontName="LiberationSans-Bold", fontSize=14,
        leading=18, spaceAfter=6, keepWithNext=1,
    )
    title = ParagraphStyle(
        "title", parent=body, fontName="LiberationSans-Bold", fontSize=12,
        leading=15, spaceAfter=10, keepWithNext=1,
    )
    item = ParagraphStyle("item", parent=body, spaceAfter=3)

    def bullets(texts):
        return ListFlowable(
            [ListItem(Paragraph(t, item), leftIndent=14) for t in texts],
            bulletType="bullet", start="\u2022", leftIndent=14,
            bulletFontName="LiberationSans", bulletFontSize=10.5, spaceAfter=6,
        )

    def numbered(texts):
        return ListFlowable(
            [ListItem(Paragraph(t, item), leftIndent=18) for t in texts],
            bulletType="1", bulletFormat="%s.", leftIndent=18,
            bulletFontName="LiberationSans", bulletFontSize=10.5, spaceAfter=6,
        )

    def draw_page(canvas, doc):
        canvas.saveState()
        # Page head: the committee top left, date top right, a rule below.
        y = page_h - 1.5 * cm
        canvas.setFont("LiberationSans", 9.5)
        for line in COMMITTEE_LINES:
            canvas.drawString(left, y, line)
            y -= 12
        x_right = page_w - right
        canvas.setFont("LiberationSans-Bold", 10)
        canvas.drawRightString(x_right, page_h - 1.5 * cm, "PROTOKOLLSUTDRAG")
        canvas.setFont("LiberationSans", 9.5)
        canvas.drawRightString(
            x_right, page_h - 1.5 * cm - 12, f"Sammanträdesdatum {P14['datum']}"
        )
        canvas.setLineWidth(0.6)
        canvas.line(left, page_h - 3.0 * cm, x_right, page_h - 3.0 * cm)

        # Page foot: two boxes above the empty stamp strip.
        box_y = STAMP_STRIP_CM * cm
        box_h = SIGN_BOX_CM * cm
        width = page_w - left - right
        gap = 0.4 * cm
        w_sign = (width - gap) * 0.6
        w_cert = width - gap - w_sign
        canvas.setLineWidth(0.5)
        canvas.rect(left, box_y, w_sign, box_h)
        canvas.rect(left + w_sign + gap, box_y, w_cert, box_h)
        canvas.setFont("LiberationSans", 7.5)
        canvas.drawString(left + 4, box_y + box_h - 10, "Justerandes signatur")
        canvas.drawString(left + w_sign + gap + 4, box_y + box_h - 10, "Utdragsbestyrkande")
        canvas.restoreState()

    frame = Frame(
        left, bottom, page_w - left - right, page_h - top - bottom,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
        title=f"{P14['paragraf']} GNS Revisionsrapport granskning av gemensam nämnd för "
        "samverkan inom drift och service, utveckling samt specialistfunktioner",
        author=COMMITTEE,
        subject=f"Protokollsutdrag {P14['datum']} {P14['paragraf']}",
        creator="scripts/make_demo_attachments.py",
        lang="sv-SE",
        invariant=1,
        initialFontName="LiberationSans",
        initialFontSize=10.5,
    )
    doc.addPageTemplates([PageTemplate(id="protokoll", frames=[frame], onPage=draw_page)])

    story = [
        Paragraph(P14["paragraf"], paragraf),
        Paragraph(P14["rubrik"], title),
        Paragraph("Sammanfattning", heading),
    ]
    for part in P14["sammanfattning"]:
        story.append(bullets(part) if isinstance(part, list) else Paragraph(part, body))
    story += [
        Paragraph("Förslag till beslut", heading),
        Paragraph(P14["forslag"], body),
        Paragraph("Yrkanden", heading),
        Paragraph(P14["yrkanden"], body),
        Paragraph("Propositionsordning", heading),
        Paragraph(P14["propositionsordning"], body),
        KeepTogether([Paragraph("Beslut", heading), numbered(P14["beslut"])]),
        KeepTogether([Paragraph("Beslutsunderlag", heading), bullets(P14["beslutsunderlag"])]),
        Spacer(1, 0),
    ]
    doc.build(story)
    target.write_bytes(buf.getvalue())


# ---------------------------------------------------------------------------
# §8 as DOCX (python-docx)
# ---------------------------------------------------------------------------

FONT = "Liberation Sans"
FIXED_TIME = dt.datetime(2020, 2, 14, 12, 0, 0)


def _set_fonts(rpr, font: str) -> None:
    """Point w:rFonts at one real font and drop the theme font references
    (Word lets a theme font win over a named one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _restarted_numbering(document, style_name: str) -> int:
    """A new w:num on the abstract numbering of `style_name`, starting at 1,
    so that each numbered list in the document counts from 1."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    style_num = document.styles[style_name].element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    abstract = None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(style_num):
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    assert abstract is not None, style_name
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    abstract_el = OxmlElement("w:abstractNumId")
    abstract_el.set(qn("w:val"), abstract)
    num.append(abstract_el)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id


def _use_numbering(paragraph, num_id: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    numid = OxmlElement("w:numId")
    numid.set(qn("w:val"), str(num_id))
    numpr.append(ilvl)
    numpr.append(numid)
    ppr.append(numpr)


def _cell_borders(cell, **edges) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge, val in edges.items():
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tcpr.append(borders)


def _bottom_rule(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "000000")
    pbdr.append(bottom)
    ppr.append(pbdr)


def build_docx_8(target: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()

    # Language and font for the whole document.
    styles_el = document.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default, FONT)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), "sv-SE")
    lang.set(qn("w:eastAsia"), "sv-SE")
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "sv-SE")

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 14), ("Heading 2", 11)):
        style = document.styles[name]
        _set_fonts(style.element.get_or_add_rPr(), FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(10 if name == "Heading 2" else 0)
        style.paragraph_format.space_after = Pt(4)
    for name in ("Header", "Footer", "List Number", "List Bullet"):
        try:
            _set_fonts(document.styles[name].element.get_or_add_rPr(), FONT)
        except KeyError:
            pass

    # A4 with room at the foot for the signature boxes and the stamp strip.
    section = document.sections[0]
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.0)
    section.top_margin = Cm(4.0)
    section.header_distance = Cm(1.2)
    section.bottom_margin = Cm(STAMP_STRIP_CM + SIGN_BOX_CM + 1.0)
    section.footer_distance = Cm(STAMP_STRIP_CM)
    text_width = section.page_width - section.left_margin - section.right_margin

    # Page head: committee left, "Sammanträdesdatum" right, rule below.
    # The template's Header style has centre and right tab stops for Letter
    # paper; drop them so that the one tab stop below decides.
    header_ppr = document.styles["Header"].element.pPr
    if header_ppr is not None and header_ppr.find(qn("w:tabs")) is not None:
        header_ppr.remove(header_ppr.find(qn("w:tabs")))
    header = section.header
    right_col = ["PROTOKOLLSUTDRAG", f"Sammanträdesdatum {P8['datum']}", ""]
    first = header.paragraphs[0]
    for i, (left_text, right_text) in enumerate(zip(COMMITTEE_LINES, right_col)):
        p = first if i == 0 else header.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        p.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
        run = p.add_run(left_text)
        run.font.size = Pt(9.5)
        p.add_run("\t")
        r2 = p.add_run(right_text)
        r2.font.size = Pt(9.5 if i else 10)
        r2.bold = i == 0
        if i == len(COMMITTEE_LINES) - 1:
            _bottom_rule(p)

    # Page foot: "Justerandes signatur" and "Utdragsbestyrkande" boxes.
    footer = section.footer
    table = footer.add_table(rows=1, cols=3, width=text_width)
    table.autofit = False
    gap = Cm(0.4)
    w_sign = int((text_width - gap) * 0.6)
    widths = [w_sign, gap, text_width - gap - w_sign]
    for column, width in zip(table.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice goes by
    row = table.rows[0]
    row.height = Cm(SIGN_BOX_CM)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    for cell, width, label in zip(row.cells, widths, ["Justerandes signatur", "", "Utdragsbestyrkande"]):
        cell.width = width
        para = cell.paragraphs[0]
        para.paragraph_format.space_after = Pt(0)
        if label:
            run = para.add_run(label)
            run.font.size = Pt(7.5)
            _cell_borders(cell, top="single", left="single", bottom="single", right="single")
    # python-docx leaves an empty paragraph before the table; keep it tiny.
    footer.paragraphs[0].paragraph_format.space_after = Pt(0)
    footer.paragraphs[0].paragraph_format.line_spacing = Pt(2)
    for run in footer.paragraphs[0].runs:
        run.text = ""

    # Body.
    p = document.add_paragraph(P8["paragraf"], style="Heading 1")
    document.add_paragraph(P8["rubrik"], style="Heading 2").paragraph_format.space_before = Pt(0)
    document.add_paragraph("Sammanfattning", style="Heading 2")
    for text in P8["sammanfattning"]:
        document.add_paragraph(text)

    document.add_paragraph("Förslag till beslut", style="Heading 2")
    num = _restarted_numbering(document, "List Number")
    for text in P8["forslag"]:
        _use_numbering(document.add_paragraph(text, style="List Number"), num)

    document.add_paragraph("Beslut", style="Heading 2")
    num = _restarted_numbering(document, "List Number")
    for text in P8["beslut"]:
        _use_numbering(document.add_paragraph(text, style="List Number"), num)

    document.add_paragraph("Expedieras till", style="Heading 2")
    for text in P8["expedieras"]:
        document.add_paragraph(text)

    document.add_paragraph("Beslutsunderlag", style="Heading 2")
    for text in P8["beslutsunderlag"]:
        document.add_paragraph(text, style="List Bullet")

    props = document.core_properties
    props.title = f"{P8['paragraf']} GNS Återstående medel från 2018"
    props.subject = f"Protokollsutdrag {P8['datum']} {P8['paragraf']}"
    props.author = COMMITTEE
    props.last_modified_by = ORGANISATION
    props.language = "sv-SE"
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME

    # The template's preview picture shows some other document: leave it out.
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[r_id]

    buf = io.BytesIO()
    document.save(buf)
    target.write_bytes(_normalise_zip(buf.getvalue()))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the OOXML zip with fixed member timestamps, so that the
    file is the same from run to run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, help="write both files here instead")
    args = parser.parse_args(argv)

    pdf_target, docx_target = PDF_TARGET, DOCX_TARGET
    if args.outdir:
        args.outdir.mkdir(parents=True, exist_ok=True)
        pdf_target = args.outdir / PDF_TARGET.name
        docx_target = args.outdir / DOCX_TARGET.name
    missing = [f.name for f in (FONT_DIR / "LiberationSans-Regular.ttf",) if not f.exists()]
    if missing:
        print(
            f"Typsnittet Liberation Sans saknas i {FONT_DIR}. "
            "Installera det med: apt-get install fonts-liberation2",
            file=sys.stderr,
        )
        return 1
    for target in (pdf_target, docx_target):
        target.parent.mkdir(parents=True, exist_ok=True)
    build_pdf_14(pdf_target)
    build_docx_8(docx_target)
    for target in (pdf_target, docx_target):
        try:
            shown = target.relative_to(ROOT)
        except ValueError:
            shown = target
        print(f"skrev {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
