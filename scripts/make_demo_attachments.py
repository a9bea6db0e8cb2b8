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

Both are written as Word documents with python-docx, laid out like a
Swedish protokollsutdrag: A4 in Liberation Sans, the committee name and
the meeting date in the page head, "Justerandes signatur" and
"Utdragsbestyrkande" boxes at the foot, and the bottom 2.5 cm of every page
empty for the packet's page stamp.  The text has real headings (§ number
as the one Heading 1, the title and the sections as Heading 2) and real
numbered and bulleted lists; the language is sv-SE.

§14 is the Word document converted by LibreOffice as the project converts
its own documents: a tagged PDF (PDF/UA-1, PDF/A-2b) with embedded fonts,
the document title and /Lang sv-SE, so that the demo's kallelse has no
received bilaga that keeps it from being accessible.  The received
"untagged", "font not embedded" and "scanned" cases are tested with
fixtures of their own (tests/fixtures/received/).  See scripts/standin.py
for how the PDF is finished.

The output is reproducible: running the script twice on the same machine
gives identical files (the PDF depends on the LibreOffice version).

Usage:  .venv/bin/python scripts/make_demo_attachments.py [--outdir DIR]

With --outdir both files are written into DIR instead of their item folders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

import standin

ROOT = standin.ROOT
MEETING = ROOT / "sources" / "2020-12-11"

PDF_TARGET = MEETING / "revisionsrapport" / "protokollsutdrag-2020-05-29-14.pdf"
DOCX_TARGET = MEETING / "aterstaende-medel-2018" / "protokollsutdrag-2020-02-14-8.docx"
CREATOR = "scripts/make_demo_attachments.py"

COMMITTEE = "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"
# The committee name as it is broken over three lines in the page head of
# the committee's protokoll.
COMMITTEE_LINES = (
    "Gemensam nämnd för samverkan",
    "inom drift och service, utveckling",
    "samt specialistfunktioner",
)
ORGANISATION = "Region Jämtland Härjedalen"

SIGN_BOX_CM = 1.6  # height of the signature boxes above the stamp strip
# top, right, bottom, left: room for the page head above, the boxes and the stamp strip below
MARGINS_CM = (4.0, 2.0, standin.STAMP_STRIP_CM + SIGN_BOX_CM + 1.0, 2.5)
HEADER_DISTANCE_CM = 1.2
RULE_GAP_PT = 12  # between the last line of the page head and the rule under it
HEADING_SIZES = {1: 14, 2: 11}

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
# A protokollsutdrag: page head, signature boxes, § heading and title
# ---------------------------------------------------------------------------


def protokollsutdrag(extract: dict) -> standin.Document:
    """An empty protokollsutdrag of the committee, with its page head and foot, for the meeting of ``extract``."""
    document = standin.new_document(margins_cm=MARGINS_CM, heading_sizes=HEADING_SIZES)
    section = document.sections[0]
    section.header_distance = Cm(HEADER_DISTANCE_CM)
    section.footer_distance = Cm(standin.STAMP_STRIP_CM)
    text_width = section.page_width - section.left_margin - section.right_margin
    page_head(section.header, extract["datum"], text_width)
    signature_boxes(section.footer, text_width)
    document.add_paragraph(extract["paragraf"], style="Heading 1")
    title = document.add_paragraph(extract["rubrik"], style="Heading 2")
    title.paragraph_format.space_before = Pt(0)
    return document


def page_head(header, meeting_date: str, text_width: int) -> None:
    """The committee top left, PROTOKOLLSUTDRAG and the meeting date top right, a rule below.

    A borderless table (LibreOffice marks the whole page head as an artifact,
    its rule too; a paragraph border would be drawn outside any tag).
    """
    left_width = int(text_width * 0.6)
    head = header.add_table(rows=1, cols=2, width=text_width)
    head.autofit = False
    for column, width in zip(head.columns, (left_width, text_width - left_width)):
        column.width = width
    left, right = head.rows[0].cells
    lines = [(left, text, 9.5, False, False) for text in COMMITTEE_LINES]
    lines += [(right, "PROTOKOLLSUTDRAG", 10, True, True),
              (right, f"Sammanträdesdatum {meeting_date}", 9.5, False, True)]
    for cell, text, size, bold, align_right in lines:
        paragraph = cell.paragraphs[-1] if not cell.paragraphs[-1].text else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = 1.0
        if align_right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
    for cell, width in zip((left, right), (left_width, text_width - left_width)):
        cell.width = width
        standin.cell_borders(cell, bottom="single")
        cell.paragraphs[-1].paragraph_format.space_after = Pt(RULE_GAP_PT)
    _tiny(header.paragraphs[0])


def signature_boxes(footer, text_width: int) -> None:
    """"Justerandes signatur" and "Utdragsbestyrkande" boxes at the foot."""
    boxes = footer.add_table(rows=1, cols=3, width=text_width)
    boxes.autofit = False
    gap = Cm(0.4)
    w_sign = int((text_width - gap) * 0.6)
    widths = [w_sign, gap, text_width - gap - w_sign]
    for column, width in zip(boxes.columns, widths):
        column.width = width  # w:gridCol, which LibreOffice goes by
    row = boxes.rows[0]
    row.height = Cm(SIGN_BOX_CM)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    for cell, width, label in zip(row.cells, widths, ["Justerandes signatur", "", "Utdragsbestyrkande"]):
        cell.width = width
        para = cell.paragraphs[0]
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.space_before = Pt(1.5)
        if label:
            para.add_run(label).font.size = Pt(7.5)
            standin.cell_borders(cell, top="single", left="single", bottom="single", right="single")
    _tiny(footer.paragraphs[0])


def _tiny(paragraph) -> None:
    """python-docx leaves an empty paragraph before a header's or footer's table; keep it tiny."""
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(2)
    for run in paragraph.runs:
        run.text = ""


def describe(document, extract: dict, short_title: str) -> None:
    standin.describe(
        document, title=f"{extract['paragraf']} GNS {short_title}",
        subject=f"Protokollsutdrag {extract['datum']} {extract['paragraf']}", author=COMMITTEE,
        last_modified_by=ORGANISATION, dated=standin.when(extract["datum"]))


# ---------------------------------------------------------------------------
# The two extracts
# ---------------------------------------------------------------------------


def document_14():
    """§14, received as PDF."""
    document = protokollsutdrag(P14)
    document.add_paragraph("Sammanfattning", style="Heading 2")
    for part in P14["sammanfattning"]:
        if isinstance(part, list):
            standin.bullet_list(document, part)
        else:
            document.add_paragraph(part)
    for heading, key in (("Förslag till beslut", "forslag"), ("Yrkanden", "yrkanden"),
                         ("Propositionsordning", "propositionsordning")):
        document.add_paragraph(heading, style="Heading 2")
        document.add_paragraph(P14[key])
    document.add_paragraph("Beslut", style="Heading 2")
    standin.numbered_list(document, P14["beslut"])
    document.add_paragraph("Beslutsunderlag", style="Heading 2")
    standin.bullet_list(document, P14["beslutsunderlag"])
    describe(document, P14, "Revisionsrapport granskning av gemensam nämnd för samverkan inom drift och "
             "service, utveckling samt specialistfunktioner")
    return document


def document_8():
    """§8, received as Word."""
    document = protokollsutdrag(P8)
    document.add_paragraph("Sammanfattning", style="Heading 2")
    for text in P8["sammanfattning"]:
        document.add_paragraph(text)
    for heading, key in (("Förslag till beslut", "forslag"), ("Beslut", "beslut")):
        document.add_paragraph(heading, style="Heading 2")
        standin.numbered_list(document, P8[key])
    document.add_paragraph("Expedieras till", style="Heading 2")
    for text in P8["expedieras"]:
        document.add_paragraph(text)
    document.add_paragraph("Beslutsunderlag", style="Heading 2")
    standin.bullet_list(document, P8["beslutsunderlag"])
    describe(document, P8, "Återstående medel från 2018")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", type=Path, help="write both files here instead")
    args = parser.parse_args(argv)

    pdf_target, docx_target = PDF_TARGET, DOCX_TARGET
    if args.outdir:
        pdf_target = args.outdir / PDF_TARGET.name
        docx_target = args.outdir / DOCX_TARGET.name
    missing = standin.missing_font_message()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    for target in (pdf_target, docx_target):
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        standin.write_tagged_pdf({pdf_target: (document_14(), standin.when(P14["datum"]))}, creator=CREATOR)
    except standin.FAILURES as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    standin.write_docx(document_8(), docx_target, standin.when(P8["datum"]))
    for target in (pdf_target, docx_target):
        try:
            shown = target.relative_to(ROOT)
        except ValueError:
            shown = target
        print(f"skrev {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
