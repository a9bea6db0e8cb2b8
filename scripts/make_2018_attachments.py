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

A4 portrait, Liberation Sans, the bottom 2.5 cm of every page left empty for
the packet's page stamp.  The output is byte-for-byte reproducible.

Usage:  .venv/bin/python scripts/make_2018_attachments.py [--outdir DIR]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parent.parent
ITEM = ROOT / "sources" / "2018-12-07" / "gemensamt-dataskyddsbud"
LETTER = "gemensamt-dataskyddsbud-brevGNS.pdf"
STAFF_COST = "gns-personalkostnad.pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
STAMP_STRIP_CM = 2.5  # empty strip at the bottom of every page
AUTHOR = "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"

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

# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def register_fonts() -> None:
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


BODY = ParagraphStyle("body", fontName="LiberationSans", fontSize=10.5, leading=14, spaceAfter=7)
H1 = ParagraphStyle("h1", parent=BODY, fontName="LiberationSans-Bold", fontSize=16, leading=20,
                    spaceAfter=10, keepWithNext=1)
H2 = ParagraphStyle("h2", parent=BODY, fontName="LiberationSans-Bold", fontSize=12.5, leading=16,
                    spaceBefore=8, spaceAfter=6, keepWithNext=1)
H3 = ParagraphStyle("h3", parent=BODY, fontName="LiberationSans-Bold", fontSize=11, leading=14,
                    spaceBefore=6, spaceAfter=4, keepWithNext=1)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9.5, leading=12, spaceAfter=0)


def numbered(texts: list[str]) -> ListFlowable:
    item = ParagraphStyle("item", parent=BODY, spaceAfter=3)
    return ListFlowable(
        [ListItem(Paragraph(t, item), leftIndent=18) for t in texts],
        bulletType="1", bulletFormat="%s.", leftIndent=18,
        bulletFontName="LiberationSans", bulletFontSize=10.5, spaceAfter=6,
    )


def bullets(texts: list[str]) -> ListFlowable:
    item = ParagraphStyle("bullet", parent=BODY, spaceAfter=2)
    return ListFlowable(
        [ListItem(Paragraph(t, item), leftIndent=14) for t in texts],
        bulletType="bullet", start="\u2022", leftIndent=14,
        bulletFontName="LiberationSans", bulletFontSize=10.5, spaceAfter=8,
    )


def grid_table(rows: list[tuple[str, ...]], widths: list[float], bold_rows: tuple[int, ...] = (),
               right_cols: tuple[int, ...] = ()) -> Table:
    table = Table([list(r) for r in rows], colWidths=widths, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), "LiberationSans", 9.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("FONT", (0, r), (-1, r), "LiberationSans-Bold", 9.5) for r in bold_rows]
    style += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in right_cols]
    table.setStyle(TableStyle(style))
    return table


def to_distribute(label: str) -> Table:
    table = Table([[label, "1200000"]], colWidths=[4.2 * cm, 3.0 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "LiberationSans", 9.5),
        ("BOX", (1, 0), (1, 0), 0.4, colors.black),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ]))
    return table


def letter_story() -> list:
    header = ("Parter", "Budgetomslutning (mkr)", "Andel", "Fördelning av summa")
    header_some = ("Part (Rullist)", "Budgetomslutning (mkr)", "Andel", "Fördelning av summa")
    widths = [3.6 * cm, 4.2 * cm, 2.4 * cm, 4.0 * cm]
    last = len(ALL_PARTIES) + 1
    return [
        Paragraph("Gemensamt dataskyddsbud", H1),
        Paragraph(LETTER_INTRO, BODY),
        numbered(LETTER_QUESTIONS),
        PageBreak(),
        Paragraph("Kostnadsfördelning för budgetomslutning i GNS", H2),
        KeepTogether([
            Paragraph("Om samtliga parter ska vara med och dela på kostnaden", H3),
            grid_table([header, *ALL_PARTIES, ALL_PARTIES_SUM], widths, bold_rows=(0, last),
                       right_cols=(1, 2, 3)),
            Spacer(1, 6),
            to_distribute("Summa att fördela →"),
        ]),
        Spacer(1, 18),
        KeepTogether([
            Paragraph("Om enstaka parter ska dela på en kostnad", H3),
            grid_table([header_some, *SOME_PARTIES, SOME_PARTIES_SUM], widths, bold_rows=(0, last),
                       right_cols=(1, 2, 3)),
            Spacer(1, 6),
            to_distribute("Summa att fördela →"),
        ]),
    ]


def staff_rows_for_table(rows) -> tuple[list[tuple[str, str, str]], list]:
    """Group-heading rows span the table and are bold; the SUMMA row is bold."""
    data, style = [("", "Per månad", "Per år")], [("FONT", (0, 0), (-1, 0), "LiberationSans-Bold", 9.5)]
    for row in rows:
        r = len(data)
        if len(row) == 1:
            data.append((row[0], "", ""))
            style += [("SPAN", (0, r), (-1, r)), ("FONT", (0, r), (-1, r), "LiberationSans-Bold", 9.5),
                      ("TOPPADDING", (0, r), (-1, r), 8)]
        else:
            data.append(row)
            if row[0] == "SUMMA":
                style.append(("FONT", (0, r), (-1, r), "LiberationSans-Bold", 9.5))
    return data, style


def staff_table(rows, with_header: bool = True) -> Table:
    data, extra = staff_rows_for_table(rows)
    if not with_header:
        data, extra = data[1:], [(cmd, (a[0], a[1] - 1), (b[0], b[1] - 1), *rest)
                                 for cmd, a, b, *rest in extra if a[1] > 0]
    table = Table(data, colWidths=[8.4 * cm, 3.4 * cm, 3.4 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "LiberationSans", 9.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ]))
    return table


def staff_cost_story() -> list:
    return [
        Paragraph("Personalkostnad exklusive aktiviteter", H1),
        Paragraph("Datum 2018-10-10", BODY),
        bullets(["Endast vita fält kan fyllas i", "Gula fält är beräknade fält som innehåller formler"]),
        staff_table(STAFF_ROWS),
        Spacer(1, 18),
        KeepTogether([staff_table(INITIAL_ROWS, with_header=False)]),
    ]


def build(story: list, title: str, target: Path) -> None:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4,
        leftMargin=2.5 * cm, rightMargin=2.0 * cm, topMargin=2.0 * cm,
        bottomMargin=(STAMP_STRIP_CM + 0.8) * cm,
        title=title, author=AUTHOR, subject="GNS/11/2018 Gemensamt dataskyddsbud",
        creator="scripts/make_2018_attachments.py", lang="sv-SE", invariant=1,
        initialFontName="LiberationSans", initialFontSize=10.5,
    )
    doc.build(story)
    target.write_bytes(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=ITEM)
    args = parser.parse_args()
    register_fonts()
    args.outdir.mkdir(parents=True, exist_ok=True)
    build(letter_story(), "Gemensamt dataskyddsbud", args.outdir / LETTER)
    build(staff_cost_story(), "Personalkostnad exklusive aktiviteter", args.outdir / STAFF_COST)
    for name in (LETTER, STAFF_COST):
        print(args.outdir / name)


if __name__ == "__main__":
    main()
