#!/usr/bin/env python3
"""Write a synthetic meeting with N ärenden into a sources folder, for `make bench`.

Each ärende has a tjänsteskrivelse in Markdown (about 1.5 pages), a 5-page
PDF bilaga made with reportlab (Liberation Sans embedded, untagged, as a
scanned-in-Word letter would come from another authority) and a 3-page DOCX
bilaga made with python-docx. The committee file is the demo's
(sources/namnder/gns.yaml), the meeting's mote.yaml lists every ärende.
The text is Swedish administrative prose drawn from a fixed list with a
seeded random generator: the same N gives the same files.

Usage:  .venv/bin/python scripts/synthetic_meeting.py N SOURCES_DIR [--date 2020-12-11]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTEE_FILE = ROOT / "sources" / "namnder" / "gns.yaml"
DATE = "2020-12-11"  # inside the demo committee's mandate period 2019-2022
FONT_FILE = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")

PDF_PAGES = 5
DOCX_PAGES = 3
CASE_PARAGRAPHS = 7  # with the heading, the decision and the template's head: about 1.5 pages

SENTENCES = (
    "Nämnden har i uppdrag att samordna verksamheten mellan parterna enligt samarbetsöverenskommelsen.",
    "Förvaltningen har under året följt upp de åtgärder som beslutades vid föregående sammanträde.",
    "Kostnaderna fördelas mellan parterna i lika delar och faktureras i förskott i januari.",
    "Revisorerna bedömer att den interna kontrollen i huvudsak är tillräcklig men kan förbättras.",
    "Arbetet har försenats på grund av pandemin och återupptas under våren.",
    "En arbetsgrupp med representanter från samtliga parter har tagit fram ett förslag till riktlinjer.",
    "Förslaget har remitterats till parterna, som lämnat synpunkter utan invändningar i sak.",
    "Det ekonomiska utfallet för perioden visar ett överskott som föreslås balanseras till nästa år.",
    "Uppdraget bedöms kunna genomföras inom befintlig budgetram utan ytterligare tillskott.",
    "Samverkan inom drift och service har gett lägre kostnader och en jämnare kvalitet för invånarna.",
    "Dataskyddsombudet har granskat behandlingen och lämnat rekommendationer som förvaltningen följer.",
    "Ärendet har beretts i samråd med ekonomiavdelningen och den juridiska funktionen.",
    "Beslutet innebär att uppdraget till regiondirektören återtas och ärendet avslutas.",
    "Uppföljning sker i samband med delårsrapporten per den 31 augusti och i årsredovisningen.",
    "Nämnden informeras löpande om hur arbetet fortskrider och om eventuella avvikelser.",
    "Åtgärderna bidrar till målet om en effektiv och rättssäker förvaltning för länets invånare.",
)
TITLES = (
    "Budget för samverkansprojekt", "Uppföljning av internkontrollplan", "Riktlinjer för informationssäkerhet",
    "Delårsrapport", "Revisionsrapport om styrning och kontroll", "Avtal om gemensam serverdrift",
    "Återrapportering av uppdrag", "Sammanträdestider", "Yttrande över remiss", "Taxor och avgifter",
)


def prose(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def write_meeting(sources: Path, items: int, date: str = DATE, seed: int = 2020) -> Path:
    """Write the committee file and a meeting of ``items`` ärenden under ``sources``; return the meeting folder."""
    rng = random.Random(seed)
    (sources / "namnder").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(COMMITTEE_FILE, sources / "namnder" / COMMITTEE_FILE.name)
    meeting = sources / date
    meeting.mkdir(parents=True, exist_ok=True)
    names = [f"arende-{number:03d}" for number in range(1, items + 1)]
    (meeting / "mote.yaml").write_text(meeting_yaml(date, names), encoding="utf-8")
    for number, name in enumerate(names, start=1):
        write_case(meeting / name, number, date, rng)
    return meeting


def meeting_yaml(date: str, names: list[str]) -> str:
    agenda = "".join(f"  - ärende: {name}\n" for name in names)
    return (f"nämnd: gns\ndatum: {date}\ntid: \"09:00-16:00\"\nplats: Regionens hus, sal A\n"
            "föredragningslista:\n  - Fastställande av föredragningslista\n"
            f"  - Val av justerare och tid för justering\n{agenda}")


def write_case(folder: Path, number: int, date: str, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{TITLES[number % len(TITLES)]} {number}"
    (folder / "tjansteskrivelse.md").write_text(case_markdown(title, number, date, rng), encoding="utf-8")
    write_pdf(folder / "underlag.pdf", f"Underlag till ärende {number}", rng)
    write_docx(folder / "yttrande.docx", f"Yttrande i ärende {number}", rng)


def case_markdown(title: str, number: int, date: str, rng: random.Random) -> str:
    body = "\n\n".join(prose(rng, 5) for _ in range(CASE_PARAGRAPHS))
    return (f"---\nrubrik: {title}\ndnr: GNS/{number}/2020\ndatum: {date}\nföredragande: Jessica Hådell\n"
            "expedieras till:\n  - Nämndens parter\nbilagor:\n"
            f"  - fil: underlag.pdf\n    titel: \"Underlag till ärende {number}\"\n"
            f"  - fil: yttrande.docx\n    titel: \"Yttrande i ärende {number}\"\n---\n\n"
            f"## Ärendebeskrivning\n\n{body}\n\n## Förslag till beslut\n\n{prose(rng, 2)}\n")


def write_pdf(path: Path, title: str, rng: random.Random) -> None:
    """A ``PDF_PAGES``-page A4 letter in Liberation Sans (embedded), with a free bottom margin."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab import rl_config
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    if "LiberationSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LiberationSans", str(FONT_FILE)))
    # Otherwise every page's resources name Helvetica, unembedded, and the build embeds it for each bilaga.
    rl_config.canvas_basefontname = "LiberationSans"
    heading = ParagraphStyle("rubrik", fontName="LiberationSans", fontSize=16, leading=20, spaceAfter=12)
    text = ParagraphStyle("text", fontName="LiberationSans", fontSize=11, leading=15, spaceAfter=8)
    story = []
    for page in range(1, PDF_PAGES + 1):
        story.append(Paragraph(f"{title}, del {page}", heading))
        story.extend(Paragraph(prose(rng, 4), text) for _ in range(6))
        if page < PDF_PAGES:
            story.append(PageBreak())
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2.5 * cm,
                            topMargin=2.5 * cm, bottomMargin=3 * cm, title=title, author="Förvaltningen",
                            invariant=True)
    doc.build(story)


def write_docx(path: Path, title: str, rng: random.Random) -> None:
    """A ``DOCX_PAGES``-page A4 Word document with headings, text and a small table."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.bottom_margin = Cm(3)
    doc.core_properties.title = title
    for page in range(1, DOCX_PAGES + 1):
        doc.add_heading(f"{title}, avsnitt {page}", level=1)
        for _ in range(4):
            doc.add_paragraph(prose(rng, 4))
        table = doc.add_table(rows=3, cols=3)
        table.style = "Table Grid"
        for row, cells in enumerate(table.rows):
            for column, cell in enumerate(cells.cells):
                cell.text = "Post" if row == 0 else f"{rng.randint(10, 999)} tkr"
        if page < DOCX_PAGES:
            doc.add_page_break()
    doc.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", type=int, help="antal ärenden")
    parser.add_argument("sources", type=Path, help="mappen där källfilerna skrivs")
    parser.add_argument("--date", default=DATE)
    args = parser.parse_args(argv)
    meeting = write_meeting(args.sources, args.items, args.date)
    print(meeting)
    return 0


if __name__ == "__main__":
    sys.exit(main())
