"""Markdown content through the command line: images, wide tables, footnotes, #links.

One packet is built (module fixture) from a copy of the demo, cut down to
two cases to save LibreOffice time, whose tjänsteskrivelse "revisionsrapport" gets an image, a 12-column and a
60-column table, a footnote and an internal link, and whose Markdown bilaga
(svenskt-ramverk) gets a JPEG. The PDF is read back as a reader sees it:
words and their boxes (pdftotext), page sizes, images and links (pikepdf).
The refusals (missing or remote image) stop at load time, before
LibreOffice, and must leave the packet built before untouched.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.oxml.ns import qn
from PIL import Image

from meetingdocs.pdf.assemble import outline_of
from meetingdocs.tools import libreoffice, poppler

from conftest import DEMO, REPO, run_build, warnings_in

pytestmark = [pytest.mark.libreoffice, pytest.mark.poppler]

CASE = "revisionsrapport"
ALT = "Karta över regionens sjukhus i Östersund"
BILAGA_ALT = "Diagram över kostnaderna per år"
NOTE = "Revisionsrapport nummer Fotnotstext-4711, december 2020."
IMAGE_SIZE = (321, 157)  # pixels: odd numbers to recognise the image in the PDF
BILAGA_IMAGE_SIZE = (203, 111)


PLACES = ["Östersund", "Åre", "Härjedalen", "Strömsund"]


def table(header: list[str], rows: list[list[str]]) -> tuple[str, list[str]]:
    """A Markdown table with the first column "Område"; and the words of its cells."""
    header = ["Område"] + header
    body = [[PLACES[r % len(PLACES)]] + row for r, row in enumerate(rows)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines), header + [word for row in body for word in row]


# Twelve columns of an economy table: each number unique, so that every cell can be found.
MONTHS = "Jan Feb Mar Apr Maj Jun Jul Aug Sep Okt Nov".split()
TABLE_12, WORDS_12 = table(MONTHS, [[str(1000 + 100 * r + c) for c in range(11)] for r in range(3)])
# Sixty columns: every cell a unique word.
TABLE_60, WORDS_60 = table([f"T60k{c}" for c in range(2, 61)],
                           [[f"T60r{r}k{c}" for c in range(2, 61)] for r in range(3)])

CONTENT = f"""
Se [tabellerna nedan](#ekonomi-per-månad) och revisorernas rapport[^rapport].

![{ALT}](bilder/karta.png)

### Ekonomi per månad

{TABLE_12}

Alla orter:

{TABLE_60}

Text efter tabellerna.

[^rapport]: {NOTE}
"""


def make_image(path: Path, size: tuple[int, int], fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (230, 235, 250))
    for x in range(size[0]):  # a diagonal, so that the picture is not blank
        image.putpixel((x, x * size[1] // size[0]), (200, 0, 0))
    image.save(path, fmt, dpi=(96, 96))


KEPT_CASES = (CASE, "svenskt-ramverk")


def keep_only_our_cases(meeting: Path) -> None:
    """A smaller meeting (fewer documents for LibreOffice): only the cases we change."""
    mote = meeting / "mote.yaml"
    head = mote.read_text(encoding="utf-8").split("föredragningslista:")[0]
    items = "".join(f"  - ärende: {case}\n" for case in KEPT_CASES)
    mote.write_text(f"{head}föredragningslista:\n  - Fastställande av föredragningslista\n{items}", encoding="utf-8")
    for entry in meeting.iterdir():
        if entry.stem not in KEPT_CASES and (entry.suffix == ".md" or (entry / "tjansteskrivelse.md").is_file()):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def add_content(sources: Path) -> None:
    meeting = sources / DEMO
    keep_only_our_cases(meeting)
    case = meeting / CASE / "tjansteskrivelse.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("## Förslag till beslut", CONTENT + "\n## Förslag till beslut"), encoding="utf-8")
    make_image(meeting / CASE / "bilder" / "karta.png", IMAGE_SIZE, "PNG")
    bilaga = meeting / "svenskt-ramverk" / "protokollsutdrag-2019-12-06-38.md"
    with bilaga.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\n![{BILAGA_ALT}](diagram.jpg)\n")
    make_image(bilaga.parent / "diagram.jpg", BILAGA_IMAGE_SIZE, "JPEG")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The demo with our content, built once: (result, packets/DATE/)."""
    root = tmp_path_factory.mktemp("markdown-content")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    add_content(sources)
    out = root / "packets"
    result = run_build("packet", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    return result, out / DEMO


@pytest.fixture(scope="module")
def packet(build) -> Path:
    return build[1] / "kallelse.pdf"


def document_pages(pdf: Path, parent: str, title: str) -> range:
    """0-based pages of the document ``title`` under the bookmark containing ``parent``."""
    marks = outline_of(pdf)
    for index, (depth, text, page) in enumerate(marks):
        if depth == 0 and parent.lower() in text.lower():
            for sub_depth, sub_text, start in marks[index + 1:]:
                if sub_depth == 1 and sub_text == title:
                    later = [p for _, _, p in marks if p > start]
                    return range(start, min(later, default=poppler.page_count(pdf)))
    raise AssertionError(f"no bookmark {title} under {parent}: {marks}")


def kallelse_pages(pdf: Path) -> range:
    marks = outline_of(pdf)
    return range(0, next(p for _, t, p in marks if t == "Innehåll"))


def words_of(pdf: Path, pages: range) -> list[poppler.Word]:
    return poppler.words(pdf, pages.start + 1, pages.stop)


def tjansteskrivelse(packet: Path) -> range:
    return document_pages(packet, "Revisionsrapport", "Tjänsteskrivelse")


# ------------------------------------------------------------------ the build


def test_build_with_images_tables_and_footnotes_succeeds_quietly(build):
    result, _ = build
    assert "Traceback" not in result.stderr
    assert warnings_in(result.stderr) == []


@pytest.mark.parametrize("words", [WORDS_12, WORDS_60], ids=["12 kolumner", "60 kolumner"])
def test_every_cell_of_a_wide_table_is_in_the_pdf(packet, words):
    for pages in (tjansteskrivelse(packet), kallelse_pages(packet)):
        found = {w.text for w in words_of(packet, pages)}
        missing = [w for w in words if w not in found]
        assert not missing, f"pages {pages}: {missing}"


def test_very_wide_table_stands_on_landscape_pages_and_the_text_goes_on_in_portrait(packet):
    pages = tjansteskrivelse(packet)
    words = words_of(packet, pages)
    for word in [w for w in WORDS_60 if w.startswith("T60")]:
        (box,) = [w for w in words if w.text == word]
        assert box.page_width > box.page_height, word
    # The 12 columns fit a portrait page in a smaller font; the text after the tables is portrait again.
    (box,) = [w for w in words if w.text == "1010"]
    assert box.page_width < box.page_height
    (after,) = [w for w in words if w.text == "tabellerna." and w.page > box.page]
    assert after.page_width < after.page_height
    text = poppler.pdftotext(packet, pages.start + 1, pages.stop)
    assert "Tabellen är för bred för sidan och visas i" in text


def test_image_is_in_the_packet_at_a_sensible_size(packet):
    pdf = pikepdf.open(packet)
    found = {}
    for index, page in enumerate(pdf.pages):
        for image in page.get_images().values():
            found.setdefault((int(image.Width), int(image.Height)), set()).add(index)
    # In the kallelse (agenda text) and in the tjänsteskrivelse; the JPEG in its bilaga.
    karta = found[IMAGE_SIZE]
    assert karta & set(kallelse_pages(packet)) and karta & set(tjansteskrivelse(packet))
    bilaga = document_pages(packet, "Svenskt ramverk",
                            "Bilaga 1: §38 GNS Svenskt ramverk för digitalisering i samverkan")
    assert found[BILAGA_IMAGE_SIZE] & set(bilaga)


def test_alt_text_becomes_the_figure_alt_text_in_a_tagged_pdf(build, tmp_path):
    """The published kallelse.docx carries the alt text; LibreOffice exports it as /Alt."""
    docx_path = build[1] / "kallelse.docx"
    descriptions = [e.get("descr") for e in docx.Document(str(docx_path)).element.body.iter(qn("wp:docPr"))]
    assert descriptions == [ALT]
    (pdf,) = libreoffice.convert_to_pdf([docx_path], tmp_path, profile_dir=tmp_path / "lo")
    with pikepdf.open(pdf) as tagged:
        figures = [str(node.get("/Alt")) for node in structure(tagged.Root.StructTreeRoot)
                   if node.get("/S") == "/Figure"]
    assert figures == [ALT]


def structure(node):
    """Every structure element below ``node``."""
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            yield node
        kids = node.get("/K")
        if kids is not None:
            yield from structure(kids)
    elif isinstance(node, pikepdf.Array):
        for kid in node:
            yield from structure(kid)


def test_footnote_is_at_the_foot_of_its_page(packet):
    for pages in (tjansteskrivelse(packet), kallelse_pages(packet)):
        words = words_of(packet, pages)
        (box,) = [w for w in words if w.text == "Fotnotstext-4711,"]
        (sentence,) = [w for w in words if w.text == "revisorernas" and w.page == box.page]
        assert sentence.y0 < box.y0 and box.y0 > 0.7 * box.page_height
    assert "[^rapport]" not in poppler.pdftotext(packet)


def test_internal_link_leads_to_its_heading(packet):
    pages = tjansteskrivelse(packet)
    words = words_of(packet, pages)
    (heading,) = [w for w in words if w.text == "månad" and w.page - 1 in pages]
    (link_word,) = [w for w in words if w.text == "tabellerna" and w.page - 1 in pages]
    pdf = pikepdf.open(packet)
    page = pdf.pages[link_word.page - 1]
    height = float(page.mediabox[3])
    targets = []
    for annot in page.get("/Annots", []):
        x0, y0, x1, y1 = (float(v) for v in annot.Rect)
        x = (link_word.x0 + link_word.x1) / 2
        y = height - (link_word.y0 + link_word.y1) / 2  # pdftotext measures from the top
        if x0 <= x <= x1 and y0 <= y <= y1:
            dest = annot.get("/Dest")
            if dest is not None:
                targets.append(pdf.pages.index(dest[0]))
    assert targets == [heading.page - 1]


# ------------------------------------------------------------------ refusals


def packet_digest(build) -> str:
    return hashlib.sha256((build[1] / "kallelse.pdf").read_bytes()).hexdigest()


def refused(build, sources: Path, case_text: str):
    """Add ``case_text`` to budget-2021.md; build into the folder of the good build."""
    case = sources / DEMO / "budget-2021.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("## Förslag till beslut", f"{case_text}\n\n## Förslag till beslut"),
                    encoding="utf-8")
    line = case.read_text(encoding="utf-8").split("\n").index(case_text.split("\n")[0]) + 1
    before = packet_digest(build)
    result = run_build("packet", DEMO, sources=sources, out=build[1].parent)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "Inget har ändrats i packets/." in result.stderr
    assert packet_digest(build) == before
    return result.stderr, line


def test_missing_image_is_refused_with_file_line_and_fix(build, sources):
    stderr, line = refused(build, sources, "![Karta över området](karta.png)")
    assert f"budget-2021.md, rad {line}: bilden 'karta.png' finns inte i" in stderr
    assert "Kontrollera filnamnet" in stderr


def test_remote_image_is_refused_explaining_why(build, sources):
    stderr, line = refused(build, sources, "![Logotyp](https://example.org/logga.png)")
    assert f"budget-2021.md, rad {line}: bilden 'https://example.org/logga.png' ligger på internet" in stderr
    assert "aldrig hämtar något från nätet" in stderr
    assert "Spara bilden som en PNG- eller JPEG-fil i ärendets mapp" in stderr


def test_broken_image_in_a_markdown_bilaga_is_refused(build, sources):
    bilaga = sources / DEMO / "svenskt-ramverk" / "protokollsutdrag-2019-12-06-38.md"
    (bilaga.parent / "diagram.png").write_bytes(b"inte en bild")
    lines = bilaga.read_text(encoding="utf-8").split("\n")
    bilaga.write_text("\n".join(lines + ["", "![Diagram](diagram.png)", ""]), encoding="utf-8")
    stderr, _ = refused(build, sources, "Ingen bild här.")
    assert (f"protokollsutdrag-2019-12-06-38.md, rad {len(lines) + 2}: bilden 'diagram.png' är skadad"
            in stderr)

