#!/usr/bin/env python3
"""Regenerate the two PDF bilagor of the meeting sources/2018-12-07/.

The 2018 meeting reproduces the GNS packet in shared/reference/
gns-2018-12-packet.md (see sources/PROVENANCE.md).  Item 3 (Gemensamt
dataskyddsbud, GNS/11/2018) had two attachments that came in as PDF files
("Bifogad fil"): the letter to the parties with its cost-sharing sheet, and
the staff-cost sheet.  They are rebuilt here from the text in the reference,
so that the repository holds no hand-made binary:

    sources/2018-12-07/gemensamt-dataskyddsbud/gemensamt-dataskyddsbud-brevGNS.pdf
    sources/2018-12-07/gemensamt-dataskyddsbud/gns-personalkostnad.pdf

Each is written as a Word document with python-docx (A4 portrait, Liberation
Sans, sv-SE, the bottom 2.5 cm of every page left empty for the packet's
page stamp; the title as the one Heading 1, the sections below it without
skipped levels, numbered and bulleted lists as real lists, the tables with
a header row) and converted by LibreOffice as the project converts its own
documents: tagged PDFs (PDF/UA-1, PDF/A-2b) with embedded fonts, a document
title and /Lang sv-SE, dated 2018-10-10 as the staff-cost sheet is.  See
scripts/standin.py for how the PDFs are finished.

The output is reproducible: running the script twice on the same machine
gives identical files (they depend on the LibreOffice version).

Usage:  .venv/bin/python scripts/make_2018_attachments.py [--outdir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

import standin

ROOT = standin.ROOT
ITEM = ROOT / "sources" / "2018-12-07" / "gemensamt-dataskyddsbud"
LETTER = "gemensamt-dataskyddsbud-brevGNS.pdf"
STAFF_COST = "gns-personalkostnad.pdf"
CREATOR = "scripts/make_2018_attachments.py"
AUTHOR = "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"
SUBJECT = "GNS/11/2018 Gemensamt dataskyddsbud"
DATED = standin.when("2018-10-10")  # the date on the staff-cost sheet; the letter has none

# top, right, bottom, left
MARGINS_CM = (2.0, 2.0, standin.STAMP_STRIP_CM + 0.8, 2.5)
HEADING_SIZES = {1: 16, 2: 12.5, 3: 11}
CELL_PT = 9.5

# ---------------------------------------------------------------------------
# The texts, as in the reference packet.
# ---------------------------------------------------------------------------

LETTER_INTRO = (
    "På uppdrag av Gemensamma nämnden för samverkan inom drift och service, utveckling och "
    "specialistfunktioner (GNS) vill jag härmed be er lämna följande uppgifter till e-strateg "
    "Li Zakrisson senast fredag 2018-11-16."
)
LETTER_QUESTIONS = [
    "Besked om ni som part i GNS önskar delta i rekrytering av tjänsten gemensamt "
    "dataskyddsbud enligt bifogat beslutsunderlag?",
    "Besked om ni som part i GNS vill stå som arbetsgivare och ansvara för rekrytering av tjänsten?",
    "Övriga synpunkter och kommentarer kan framföras till e-strategen som underlag i fortsatt beredning.",
]

ALL_PARTIES = [
    ("Berg", "469,9", "4,17%", "50 078 kr"),
    ("Åre", "587", "5,21%", "62 558 kr"),
    ("Bräcke", "442,6", "3,93%", "47 169 kr"),
    ("Krokom", "877,9", "7,80%", "93 560 kr"),
    ("Östersund", "3468,7", "30,81%", "369 666 kr"),
    ("Strömsund", "744,6", "6,61%", "79 353 kr"),
    ("Ragunda", "322,5", "2,86%", "34 369 kr"),
    ("Härjedalen", "660,5", "5,87%", "70 391 kr"),
    ("Region JH", "3686,3", "32,74%", "392 856 kr"),
]
ALL_PARTIES_SUM = ("Summor", "11260", "100,0%", "1 200 000 kr")

SOME_PARTIES = [
    ("Region JH", "3686,3", "51,52%", "618 247 kr"),
    ("Östersund", "3468,7", "48,48%", "581 753 kr"),
] + [("Tomt", "0", "0,00%", "0 kr")] * 7
SOME_PARTIES_SUM = ("Summor", "7155", "100,00%", "1 200 000 kr")

# (label, per månad, per år); a row with only a label is a group heading.
STAFF_ROWS = [
    ("Egen personal",),
    ("Namn", "Dataskyddsbud", ""),
    ("Lön per månad exkl. Lkp", "50 000 kr", ""),
    ("Lönekostnadspåslag", "46,47%", ""),
    ("Semesterersättning", "1,60%", ""),
    ("Lön per månad inkl Lkp o semester", "74 407 kr", "892 884 kr"),
    ("Friskvård", "125,00 kr", "1 500,00 kr"),
    ("OH",),
    ("Ekonomi- och personaladministration 10,00%", "7 441 kr", "89 292 kr"),
    ("Kontorslokal",),
    ("(inkl. kontorsmaterial, kopiering)", "3 583 kr", "43 000 kr"),
    ("Övrigt",),
    ("IT-infrastruktur (ej personlig utrustning)", "1 167 kr", "7 000 kr"),
    ("Telefon, fast kostnad för anknytning", "500 kr", "3 000 kr"),
    ("SUMMA", "87 223 kr", "1 036 676 kr"),
]
INITIAL_ROWS = [
    ("Initiala kostnader", "", ""),
    ("Rekrytering", "30 000 kr", ""),
    ("Datorutrustning", "25 000 kr", ""),
    ("Telefon", "10 000 kr", ""),
    ("", "65 000 kr", "65 000 kr"),
    ("", "", "1 101 676 kr"),
    ("Resor", "50 000 kr", ""),
    ("Omvärldsbevakning, utbildning mm", "50 000 kr", "100000"),
    ("", "", "1 201 676 kr"),
]

# Layout
# ---------------------------------------------------------------------------


def new_document(title: str):
    document = standin.new_document(margins_cm=MARGINS_CM, heading_sizes=HEADING_SIZES)
    standin.describe(document, title=title, subject=SUBJECT, author=AUTHOR, dated=DATED)
    return document


def to_distribute(document) -> None:
    """"Summa att fördela →" and the sum in a box, as the spreadsheet shows it."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(4.4), WD_TAB_ALIGNMENT.LEFT)
    paragraph.add_run("Summa att fördela →\t").font.size = Pt(CELL_PT)
    boxed = paragraph.add_run("\u00a0" * 10 + "1200000\u00a0")
    boxed.font.size = Pt(CELL_PT)
    border = OxmlElement("w:bdr")
    for name, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
        border.set(qn(f"w:{name}"), value)
    boxed._r.get_or_add_rPr().append(border)


def letter():
    header = ("Parter", "Budgetomslutning (mkr)", "Andel", "Fördelning av summa")
    header_some = ("Part (Rullist)", "Budgetomslutning (mkr)", "Andel", "Fördelning av summa")
    widths = [3.6, 4.6, 2.4, 4.0]  # wide enough for "Budgetomslutning (mkr)" on one line
    last = len(ALL_PARTIES) + 1
    document = new_document("Gemensamt dataskyddsbud")
    document.add_paragraph("Gemensamt dataskyddsbud", style="Heading 1")
    document.add_paragraph(LETTER_INTRO)
    standin.numbered_list(document, LETTER_QUESTIONS)
    sheet = document.add_paragraph("Kostnadsfördelning för budgetomslutning i GNS", style="Heading 2")
    sheet.paragraph_format.page_break_before = True
    sheet.paragraph_format.space_before = Pt(0)
    for heading, first, rows, total in (
        ("Om samtliga parter ska vara med och dela på kostnaden", header, ALL_PARTIES, ALL_PARTIES_SUM),
        ("Om enstaka parter ska dela på en kostnad", header_some, SOME_PARTIES, SOME_PARTIES_SUM),
    ):
        document.add_paragraph(heading, style="Heading 3")
        standin.table(document, [first, *rows, total], widths, bold_rows=(last,), right_columns=(1, 2, 3),
                      font_size=CELL_PT)
        to_distribute(document)
    return document


def staff_rows(rows) -> tuple[list[tuple[str, str, str]], list[int], list[int]]:
    """The rows as three cells each; which rows are group headings (spanning, bold) and which are bold."""
    data, groups, bold = [], [], []
    for row in rows:
        if len(row) == 1:
            groups.append(len(data))
            data.append((row[0], "", ""))
        else:
            if row[0] == "SUMMA":
                bold.append(len(data))
            data.append(row)
    return data, groups, bold


def staff_table(document, rows, header: tuple[str, str, str]) -> None:
    """A sheet with a header row, group headings spanning the row, and a thin line under every row."""
    data, groups, bold = staff_rows(rows)
    table = standin.table(document, [header, *data], [8.4, 3.4, 3.4], style=None, font_size=CELL_PT,
                          right_columns=(1, 2), bold_rows=tuple(r + 1 for r in groups + bold))
    for row in table.rows:
        for cell in row.cells:
            standin.cell_borders(cell, bottom="single")
    for r in groups:
        cells = table.rows[r + 1].cells
        cells[0].merge(cells[-1])
        cells[0].paragraphs[0].paragraph_format.space_before = Pt(6)


def staff_cost():
    document = new_document("Personalkostnad exklusive aktiviteter")
    document.add_paragraph("Personalkostnad exklusive aktiviteter", style="Heading 1")
    document.add_paragraph("Datum 2018-10-10")
    standin.bullet_list(document, ["Endast vita fält kan fyllas i",
                                   "Gula fält är beräknade fält som innehåller formler"])
    staff_table(document, STAFF_ROWS, ("", "Per månad", "Per år"))
    document.add_paragraph()
    staff_table(document, INITIAL_ROWS[1:], INITIAL_ROWS[0])
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ITEM)
    args = parser.parse_args(argv)
    missing = standin.missing_font_message()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    args.outdir.mkdir(parents=True, exist_ok=True)
    try:
        standin.write_tagged_pdf({args.outdir / LETTER: (letter(), DATED),
                                  args.outdir / STAFF_COST: (staff_cost(), DATED)}, creator=CREATOR)
    except standin.FAILURES as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    for name in (LETTER, STAFF_COST):
        print(args.outdir / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
