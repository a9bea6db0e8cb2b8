"""The protokoll's body as a jurist reads it: närvaro, §§, points and items without tjänsteskrivelse, layout.

One command-line build of a variant of the demo meeting (a numbered point "Fika", two items without
tjänsteskrivelse, the standard items spelled differently) is read back from the PDF: text, § numbers and the
positions of words and drawn lines. One LibreOffice run renders the demo protokoll with its first page and
its first § made longer step by step, so that the signature block and every § heading meet a page break
somewhere. Bad input is refused through the command line like every other source error.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO, run_build
from test_protokoll import flat, pdf_pages
from meetingdocs.errors import ExitCode
from meetingdocs.minutes import build as minutes_build
from meetingdocs.minutes import numbering, render, standard
from meetingdocs.minutes.record import load_record
from meetingdocs.model import Person
from meetingdocs.pdf import stamp
from meetingdocs.pdf.fonts import register_fonts
from meetingdocs.sources import load_meeting
from meetingdocs.tools import libreoffice, poppler

SECTION_TITLES = {"Jäv", "Sammanfattning", "Förslag till beslut", "Yrkanden", "Propositionsordning", "Omröstning",
                  "Beslut", "Reservation", "Protokollsanteckning", "Expedieras till", "Beslutsunderlag"}
HEADER_BOTTOM = 90.0  # points from the top: the protokoll's header (organisation, date) ends above this
BIG_TEXT = 16.0  # word box height of Heading 1 (16 pt) and Heading 2 (13 pt); body text (11 pt) is about 14
H1_TEXT = 19.0  # word box height of Heading 1 only (§ numbers)


# ------------------------------------------------------------ reading PDFs back


def _version(pdf: Path) -> tuple[str, int, int]:
    stat = Path(pdf).stat()
    return str(pdf), stat.st_size, stat.st_mtime_ns


@functools.cache
def _pages(version: tuple[str, int, int]) -> tuple[str, ...]:
    return tuple(pdf_pages(Path(version[0])))


@functools.cache
def _words(version: tuple[str, int, int]) -> tuple[poppler.Word, ...]:
    return tuple(poppler.words(Path(version[0])))


def read_pages(pdf: Path) -> list[str]:
    """``pdf_pages``, run once per version of the file: the checks below read the same PDFs many times,
    and pdftotext takes about a second for a protokoll."""
    return list(_pages(_version(pdf)))


def read_words(pdf: Path) -> list[poppler.Word]:
    """``poppler.words``, run once per version of the file."""
    return list(_words(_version(pdf)))


@dataclasses.dataclass
class Line:
    words: list[poppler.Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def height(self) -> float:
        return max(w.y1 - w.y0 for w in self.words)


def lines_by_page(pdf: Path) -> dict[int, list[Line]]:
    """Each page's words grouped into lines (same baseline), top to bottom; origin top left."""
    pages: dict[int, list[Line]] = {}
    for word in sorted(read_words(pdf), key=lambda w: (w.page, round(w.y1), w.x0)):
        lines = pages.setdefault(word.page, [])
        if lines and abs(lines[-1].bottom - word.y1) < 2 and lines[-1].words[-1].page == word.page:
            lines[-1].words.append(word)
        else:
            lines.append(Line([word]))
    return pages


_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}


def _concat(m, n):
    a, b, c, d, e, f = m
    p, q, r, s_, t, u = n
    return (a * p + b * r, a * q + b * s_, c * p + d * r, c * q + d * s_, e * p + f * r + t, e * q + f * s_ + u)


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def drawn_lines(pdf: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per page, every stroked or filled path piece (the frames of the signature boxes among them) as a box
    x0, top, x1, bottom in points from the top left, like the words of pdftotext."""
    result = []
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            height = float(page.mediabox[3])
            pieces: list[tuple[tuple[float, float], tuple[float, float]]] = []
            _walk(page.obj, (1, 0, 0, 1, 0, 0), pieces, 0)
            result.append([(min(p[0], q[0]), height - max(p[1], q[1]), max(p[0], q[0]), height - min(p[1], q[1]))
                           for p, q in pieces])
    return result


def _walk(content, ctm, pieces, depth: int) -> None:
    saved, path, current = [], [], (0.0, 0.0)
    for operands, operator in pikepdf.parse_content_stream(content):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q" and saved:
            ctm = saved.pop()
        elif op == "cm":
            ctm = _concat(tuple(float(v) for v in operands), ctm)
        elif op == "m":
            current = _apply(ctm, *map(float, operands))
        elif op == "l":
            point = _apply(ctm, *map(float, operands))
            path.append((current, point))
            current = point
        elif op == "re":
            x, y, w, h = map(float, operands)
            corners = [_apply(ctm, *p) for p in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]
            path += [(corners[i], corners[(i + 1) % 4]) for i in range(4)]
        elif op in _PAINT:
            pieces += path
            path = []
        elif op == "n":  # a clip path, nothing drawn
            path = []
        elif op == "Do" and depth < 4:
            xobject = content.get("/Resources", {}).get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                _walk(xobject, _concat(matrix, ctm), pieces, depth + 1)


def stamps(pdf: Path) -> dict[int, tuple[float, float, float, float]]:
    """Per page the box of its page stamp 'Sida N av M' (the last on the page), from the top left."""
    found: dict[int, tuple[float, float, float, float]] = {}
    words = read_words(pdf)
    for i in range(len(words) - 3):
        group = words[i:i + 4]
        if (group[0].text == "Sida" and group[2].text == "av" and group[1].text.isdigit()
                and group[3].text.isdigit() and len({w.page for w in group}) == 1):
            found[group[0].page] = (min(w.x0 for w in group), min(w.y0 for w in group),
                                    max(w.x1 for w in group), max(w.y1 for w in group))
    return found


def _overlap(a, b, clearance: float = 0.5) -> bool:
    return not (a[2] + clearance < b[0] or b[2] + clearance < a[0] or a[3] + clearance < b[1]
                or b[3] + clearance < a[1])


def stamp_collisions(pdf: Path, *, boxes_expected: bool) -> list[str]:
    """Pages whose stamp touches a drawn line; with ``boxes_expected``, also pages without signature boxes."""
    problems = []
    text = read_pages(pdf)
    found = stamps(pdf)
    for number, pieces in enumerate(drawn_lines(pdf), start=1):
        box = found.get(number)
        if box is None:
            problems.append(f"{pdf.name} sida {number}: inget sidnummer")
            continue
        frame = [p for p in pieces if p[2] - p[0] < 580]  # not the page-sized background
        if boxes_expected and ("Justerandes signatur" not in text[number - 1] or len(frame) < 4):
            problems.append(f"{pdf.name} sida {number}: signaturrutorna saknas")
        problems += [f"{pdf.name} sida {number}: sidnumret {box} rör linjen {p}" for p in frame if _overlap(box, p)]
    return problems


def page_end_problems(pdf: Path) -> list[str]:
    """Pages whose last line of text above the foot is a § number, a § title or a section heading."""
    problems = []
    for number, lines in lines_by_page(pdf).items():
        foot = min((ln.top for ln in lines if ln.text.startswith("Justerandes signatur")), default=None)
        body = [ln for ln in lines if ln.top > HEADER_BOTTOM and (foot is None or ln.bottom < foot - 1)]
        if not body:
            continue
        last = body[-1]
        if last.height > BIG_TEXT or re.fullmatch(r"§ \d+", last.text) or last.text in SECTION_TITLES:
            problems.append(f"{pdf.name} sida {number} slutar med rubriken '{last.text}'")
    return problems


SIGNATURE_BLOCKS = {"Underskrifter": 2, "Omedelbar justering": 1}  # heading: signatures besides the justerare


def signature_blocks(pages: list[str], adjusters: int) -> list[tuple[str, list[int]]]:
    """Each signature block (its heading, every signature line and the name under each) with the pages it
    stands on: 'Underskrifter' (sekreterare, ordförande, justerare) and 'Omedelbar justering' at a §."""
    blocks: list[tuple[str, list[int]]] = []
    lines_left, name_due = 0, False
    for number, page in enumerate(pages, start=1):
        for text in (line.strip() for line in page.splitlines()):
            if text in SIGNATURE_BLOCKS:
                blocks.append((text, [number]))
                lines_left, name_due = SIGNATURE_BLOCKS[text] + adjusters, False
            elif lines_left and "____" in text:
                blocks[-1][1].append(number)
                lines_left, name_due = lines_left - 1, True
            elif name_due and text:
                blocks[-1][1].append(number)
                name_due = False
    return [(heading, sorted(set(found))) for heading, found in blocks]


def signature_pages(pages: list[str], adjusters: int) -> list[int]:
    """The pages of the protokoll's Underskrifter block."""
    [found] = [found for heading, found in signature_blocks(pages, adjusters) if heading == "Underskrifter"]
    return found


# ------------------------------------------------------------ the variant meeting


def shift_items(record: str, after: int) -> str:
    """Agenda numbers above ``after`` move up by one (a point is inserted): beslut keys, från and till."""
    def key(match: re.Match) -> str:
        number = int(match.group(2))
        return f"{match.group(1)}{number + 1 if number > after else number}:"

    def bound(match: re.Match) -> str:
        number = int(match.group(2))
        return f"{match.group(1)}{number + 1 if number > after else number}"

    record = re.sub(r"^(  )(\d+):", key, record, flags=re.M)
    return re.sub(r"^(\s+(?:från|till): )(\d+)", bound, record, flags=re.M)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} saknas i {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


INFORMATION = """---
tjänsteskrivelse: nej
rubrik: Informationer 2020
föredragande: Hans Svensson
bilagor:
  - fil: beredningsgrupp.md
    titel: Beredningsgrupp GNS
---

- Regiondirektören informerar om läget i beredningsgruppen.
- Sekretariatet informerar om sammanträdesplaneringen 2021.
"""
PREVIOUS = """---
tjänsteskrivelse: nej
rubrik: Föregående protokoll
---

## Ärendebeskrivning

Protokollet från sammanträdet den 14 september 2020 är justerat och publicerat.

## Förslag till beslut

Protokollet läggs till handlingarna.

## Beslutsunderlag

- Protokoll 2020-09-14, justerat 2020-09-18
"""


def make_variant(sources: Path) -> None:
    """The demo with a point 'Fika' as item 5, items 13 and 14 without tjänsteskrivelse, other spellings."""
    folder = sources / DEMO
    agenda = folder / "mote.yaml"
    replace(agenda, "  - Fastställande av föredragningslista\n", "  - Godkännande av dagordningen\n")
    replace(agenda, "  - Val av justerare och tid för justering\n", "  - Val av protokollsjusterare\n")
    replace(agenda, "  - ärende: budget-2021\n", "  - ärende: budget-2021\n  - punkt: Fika\n    tid: \"10:15\"\n")
    agenda.write_text(agenda.read_text(encoding="utf-8").rstrip("\n")
                      + "\n  - ärende: informationer\n  - ärende: foregaende-protokoll\n", encoding="utf-8")
    (folder / "informationer").mkdir()
    (folder / "informationer" / "arende.md").write_text(INFORMATION, encoding="utf-8")
    (folder / "informationer" / "beredningsgrupp.md").write_text(
        "En beredningsgrupp ska finnas med uppgift att delta i beredningen av nämndens ärenden.\n", encoding="utf-8")
    (folder / "foregaende-protokoll").mkdir()
    (folder / "foregaende-protokoll" / "arende.md").write_text(PREVIOUS, encoding="utf-8")
    record = folder / "protokoll.yaml"
    text = shift_items(record.read_text(encoding="utf-8"), after=4)
    text = re.sub(r"^beslut:.*$", "beslut:\n  13: Informationen läggs till handlingarna.\n  14: bifall", text,
                  count=1, flags=re.M)
    record.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def variant_sources(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("paragraphs") / "sources"
    shutil.copytree(REPO / "sources", target)
    make_variant(target)
    return target


@pytest.fixture(scope="module")
def variant(variant_sources, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("packets")
    result = run_build("protokoll", DEMO, sources=variant_sources, out=out)
    assert result.returncode == 0, result.stderr
    assert "Paragraferna blir §§ 31–43" in result.stderr
    return out / DEMO


@pytest.fixture(scope="module")
def variant_text(variant) -> list[str]:
    return read_pages(variant / "protokoll.pdf")


@pytest.fixture(scope="module")
def variant_body(variant) -> list[Line]:
    return body_lines(variant / "protokoll.pdf")


def body_lines(pdf: Path) -> list[Line]:
    """Every line of text between the page header and the signature boxes, page after page."""
    result = []
    for lines in lines_by_page(pdf).values():
        foot = min((ln.top for ln in lines if ln.text.startswith("Justerandes signatur")), default=None)
        result += [ln for ln in lines if ln.top > HEADER_BOTTOM and (foot is None or ln.bottom < foot - 1)]
    return result


def paragraph_text(lines: list[Line], number: int) -> str:
    """One § as read: from its heading '§ N' to the next heading of that size (the next §, a bilaga)."""
    start = next((i for i, ln in enumerate(lines) if ln.text == f"§ {number}" and ln.height > H1_TEXT), None)
    assert start is not None, f"§ {number} saknas"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].height > H1_TEXT), len(lines))
    return " ".join(ln.text for ln in lines[start:end])


# ------------------------------------------------------------ närvaro


@pytest.mark.libreoffice
@pytest.mark.poppler
class TestVariantProtokoll:
    def test_partial_substitute_serves_for_some_paragraphs_and_is_present_for_the_others(self, variant_text):
        first = flat(variant_text[0])
        deciding = first[first.index("Beslutande"):first.index("Ersättare")]
        present = first[first.index("Ersättare"):first.index("Övriga närvarande")]
        # Item 11 (from: 11 after the point) is § 40: the point "Fika" has no §.
        assert "Mats Gärd (C) tjänstgörande ersättare för Mikael Westin (C) (§§ 40–43)" in deciding
        assert "Mikael Westin (C) (§§ 31–39)" in deciding
        assert "Mats Gärd (C) (§§ 31–39)" in present

    def test_jav_is_marked_in_the_attendance_and_in_the_paragraph(self, variant_text, variant_body):
        first = flat(variant_text[0])
        assert "Bosse Svensson (C), ej § 36 (jäv)" in first[first.index("Beslutande"):first.index("Ersättare")]
        paragraph = paragraph_text(variant_body, 36)
        assert "Jäv Bosse Svensson (C) anmäler jäv och deltar inte i handläggningen av ärendet." in paragraph
        assert paragraph.index("Jäv") < paragraph.index("Sammanfattning"), "jävet står först i paragrafen"
        assert "Bosse Svensson (C) X" not in paragraph, "den jävige finns inte i röstlängden"
        assert "jäv" not in paragraph_text(variant_body, 37)

    # -------------------------------------------------------- points and numbering

    def test_a_point_gets_no_paragraph_and_numbering_stays_consecutive(self, variant, variant_text, variant_body):
        text = "\n".join(variant_text)
        assert "Fika" not in text
        numbers = [int(n) for n in re.findall(r"^\s*§ (\d+)\s*$", text, re.M)]
        assert numbers == list(range(31, 44)), numbers
        assert "§§ 31–43" in variant_text[0]
        assert paragraph_text(variant_body, 34).startswith("§ 34 Budget 2021")
        assert paragraph_text(variant_body, 35).startswith("§ 35 Revisionsrapport")  # item 6, after the point
        extracts = sorted(int(p.stem.rsplit("-", 1)[1]) for p in (variant / "utdrag").glob("*.pdf"))
        assert extracts == list(range(31, 44))

    # -------------------------------------------------------- items without tjänsteskrivelse

    def test_item_without_report_or_proposal(self, variant, variant_body):
        paragraph = paragraph_text(variant_body, 42)
        assert paragraph.startswith("§ 42 Informationer 2020 Sammanfattning • Regiondirektören informerar")
        assert "()" not in paragraph, "utan dnr står rubriken ensam"
        assert "Förslag till beslut" not in paragraph
        assert "Beslut Informationen läggs till handlingarna." in paragraph
        assert "Beslutsunderlag • Beredningsgrupp GNS" in paragraph
        assert "Tjänsteskrivelse" not in paragraph, "ärendet har ingen tjänsteskrivelse"
        extract = flat("\n".join(read_pages(variant / "utdrag" / "protokollsutdrag-42.pdf")))
        assert "Informationer 2020 Sammanfattning • Regiondirektören informerar" in extract

    def test_item_without_report_with_proposal_and_written_basis(self, variant_body):
        paragraph = paragraph_text(variant_body, 43)
        assert paragraph.startswith("§ 43 Föregående protokoll Sammanfattning Protokollet från sammanträdet")
        assert "Förslag till beslut Protokollet läggs till handlingarna." in paragraph
        assert "Beslut Protokollet läggs till handlingarna." in paragraph
        assert "Beslutsunderlag • Protokoll 2020-09-14, justerat 2020-09-18" in paragraph
        assert "Tjänsteskrivelse" not in paragraph

    def test_standard_items_spelled_otherwise(self, variant_body):
        assert paragraph_text(variant_body, 31) == "§ 31 Godkännande av dagordningen Beslut Dagordningen godkänns."
        assert "Beslut Susanne Hansson (S) utses att jämte ordföranden justera dagens protokoll. Justering sker " \
               "2020-12-16, Digital justering." in paragraph_text(variant_body, 32)

    # -------------------------------------------------------- layout

    def test_no_page_ends_with_a_heading(self, variant):
        assert page_end_problems(variant / "protokoll.pdf") == []

    def test_signature_blocks_on_one_page(self, variant_text):
        blocks = signature_blocks(variant_text, adjusters=1)
        assert [heading for heading, _ in blocks] == ["Underskrifter", "Omedelbar justering"]
        assert all(len(found) == 1 for _, found in blocks), blocks
        assert blocks[0][1] == [1]

    def test_page_number_clear_of_the_signature_boxes(self, variant):
        assert stamp_collisions(variant / "protokoll.pdf", boxes_expected=True) == []
        for extract in sorted((variant / "utdrag").glob("*.pdf")):
            assert stamp_collisions(extract, boxes_expected=False) == []


# ------------------------------------------------------------ refused records


def refused(sources: Path, out: Path, *fragments: str) -> str:
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("Fel:") == 1
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} saknas i:\n{result.stderr}"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, "tidigare resultat ändrades"
    return result.stderr


@pytest.fixture
def broken(variant_sources, tmp_path) -> Path:
    """A private copy of the variant's sources to break."""
    target = tmp_path / "sources"
    shutil.copytree(variant_sources, target)
    return target


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def test_bifall_without_proposal_asks_for_the_decision_as_text(broken, tmp_path, variant):
    record = broken / DEMO / "protokoll.yaml"
    replace(record, "  13: Informationen läggs till handlingarna.\n", "  13: bifall\n")
    out = tmp_path / "packets"
    shutil.copytree(variant.parent, out)  # what an earlier build left: kept as it is
    refused(broken, out, "protokoll.yaml", f"rad {_line_of(record, '13: bifall')}", "beslut.13",
            "punkt 13 (Informationer 2020) har inget förslag till beslut att bifalla",
            "Skriv beslutet som text", "Informationen läggs till handlingarna.")


def test_a_decision_for_a_point_is_refused(broken, tmp_path):
    record = broken / DEMO / "protokoll.yaml"
    replace(record, "  13: Informationen", "  5: bifall\n  13: Informationen")
    refused(broken, tmp_path / "packets", "protokoll.yaml", f"rad {_line_of(record, '5: bifall')}", "beslut.5",
            "punkt 5 (Fika) är en punkt utan beslut", "Ta bort '5:' under beslut")


def test_numbering_through_the_year_skips_points_and_breaks(variant_sources, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(variant_sources, sources)
    replace(sources / DEMO / "protokoll.yaml", "paragrafer från: 31", "")
    earlier = sources / "2020-05-29"
    earlier.mkdir()
    (earlier / "mote.yaml").write_text(
        "nämnd: gns\ndatum: 2020-05-29\ntid: \"09:00-12:00\"\nplats: Östersund\nföredragningslista:\n"
        "  - Fastställande av föredragningslista\n  - punkt: Fika\n    tid: \"10:00\"\n  - paus: \"10:30-10:45\"\n"
        "  - rubrik: Övriga frågor\n", encoding="utf-8")
    spans = numbering.year_spans(sources, "gns", 2020)
    assert [(s.meeting_id, s.first, s.last) for s in spans] == [("2020-05-29", 1, 2), (DEMO, 3, 15)]


# ------------------------------------------------------------ standard items


@pytest.mark.parametrize("title, decision", [
    ("Fastställande av föredragningslista", "Föredragningslistan fastställs."),
    ("Fastställande av föredragningslistan", "Föredragningslistan fastställs."),
    ("FASTSTÄLLANDE AV FÖREDRAGNINGSLISTAN", "Föredragningslistan fastställs."),
    ("Fastställande av dagens föredragningslista", "Föredragningslistan fastställs."),
    ("Föredragningslista", "Föredragningslistan fastställs."),
    ("Godkännande av dagordningen", "Dagordningen godkänns."),
    ("Godkännande av dagordning", "Dagordningen godkänns."),
    ("Fastställande av dagordning", "Dagordningen fastställs."),
    ("Antagande av dagordningen", "Dagordningen antas."),
    ("Fastställande av ärendelistan.", "Ärendelistan fastställs."),
])
def test_agenda_item_recognised_by_meaning(title, decision):
    found = standard.recognise(title)
    assert found is not None and found.kind == standard.AGENDA and found.decision == decision


@pytest.mark.parametrize("title", [
    "Val av justerare", "Val av justerare och tid för justering", "Val av protokollsjusterare",
    "Val av justerare samt tid och plats för justering", "Val av två justerare", "Val av justerande",
    "Utse justerare att jämte ordföranden justera dagens protokoll", "val av justerare, tid för justeringen",
    "Val av justeringsperson",
])
def test_adjusters_item_recognised_by_meaning(title):
    found = standard.recognise(title)
    assert found is not None and found.kind == standard.ADJUSTERS


@pytest.mark.parametrize("title", [
    "Fastställande av föredragningslista och val av justerare", "Information om justerarens uppdrag",
    "Föredragningslistan för 2021 års sammanträden", "Budget 2021", "Justering av protokollet", "Övriga frågor",
    "Godkännande av budget", "", "Fastställande av dagordningen och godkännande av föredragningslistan",
])
def test_other_items_are_not_standard(title):
    assert standard.recognise(title) is None


# ------------------------------------------------------------ attendance, without LibreOffice


@pytest.fixture(scope="module")
def demo_record():
    meeting, _ = load_meeting(REPO / "sources" / DEMO)
    record = load_record(meeting)
    minutes_build.number_paragraphs(REPO / "sources", meeting, record)
    return meeting, record


def test_substitute_in_the_middle_is_present_before_and_after(demo_record):
    meeting, record = demo_record
    mats = next(s for s in record.substitutes if s.person.name == "Mats Gärd")
    westin = next(p for p in record.partial if p.person.name == "Mikael Westin")
    changed = dataclasses.replace(
        record,
        substitutes=[s if s is not mats else dataclasses.replace(mats, first=5, last=7) for s in record.substitutes],
        partial=[p if p is not westin else dataclasses.replace(westin, first=8, last=None) for p in record.partial])
    lists = render.attendance(meeting, changed)
    assert "Mats Gärd (C) tjänstgörande ersättare för Mikael Westin (C) (§§ 35–37)" in lists["beslutande"]
    assert "Mats Gärd (C) (§§ 31–34, 38–41)" in lists["ersattare"]
    assert "Mikael Westin (C) (§§ 38–41)" in lists["beslutande"]


def test_attendance_of_the_demo(demo_record):
    meeting, record = demo_record
    lists = render.attendance(meeting, record)
    assert "Bosse Svensson (C), ej § 36 (jäv)" in lists["beslutande"]
    assert "Mats Gärd (C) (§§ 31–39)" in lists["ersattare"]
    assert lists["ersattare"][:3] == ["Ann-Marie Johansson (S)", "Maria Jakobsson (S)", "Peter Bergman (S)"]


# ------------------------------------------------------------ layout under stress (one LibreOffice run)

PEOPLE_SHIFTS = range(-6, 14, 2)  # attendance lines taken from (-) or added to (+) the first page
EXTRA_LINES = (2, 5, 8)  # paragraphs added to § 31: later § headings and section headings meet a page break


def first_page_shifted(record, shift: int):
    """The record with ``shift`` attendance lines more (övriga) or fewer (ersättare, övriga) on page 1, and only
    its first two §§: the first pages are what matters for the signature block."""
    deputies, others = list(record.deputies_present), list(record.others)
    for _ in range(-shift):
        (deputies if deputies else others).pop()
    others += [Person(f"Åhörare {n}", title="Åhörare") for n in range(max(shift, 0))]
    return dataclasses.replace(record, decisions=record.decisions[:2], deputies_present=deputies, others=others)


@pytest.fixture(scope="module")
def stressed(demo_record, tmp_path_factory) -> dict[str, Path]:
    meeting, record = demo_record
    work = tmp_path_factory.mktemp("stress")
    template = REPO / "templates" / "protokoll.docx"
    documents = {}
    for shift in PEOPLE_SHIFTS:
        documents[f"people{shift:+d}"] = render.render_protokoll(meeting, first_page_shifted(record, shift), template,
                                                                 work / f"p{shift:+d}.docx")
    for extra in EXTRA_LINES:
        first = dataclasses.replace(record.decisions[0], information="\n\n".join(
            f"Tillägg {n}: nämnden noterar att föredragningslistan skickades ut i tid." for n in range(extra)))
        longer = dataclasses.replace(record, decisions=[first, *record.decisions[1:]])
        documents[f"lines-{extra}"] = render.render_protokoll(meeting, longer, template, work / f"l{extra}.docx")
    pdfs = libreoffice.convert_to_pdf(list(documents.values()), work / "pdf", profile_dir=work / "profil")
    return {key: without_output_intent(pdf) for key, pdf in zip(documents, pdfs)}


def without_output_intent(pdf: Path) -> Path:
    """``pdf`` without LibreOffice's PDF/A output intent, which has no bearing on text, lines or layout: with
    its ICC profile every poppler run on the file takes some twenty times longer (lcms2 inverts its tone curves
    for each page). The finished protokoll carries the profile of pdf/conformance.py instead."""
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        del document.Root.OutputIntents
        document.save(pdf)
    return pdf


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_signature_blocks_never_split(stressed):
    pages = {key: signature_pages(read_pages(pdf), adjusters=1) for key, pdf in stressed.items()
             if key.startswith("people")}
    assert all(len(found) == 1 for found in pages.values()), pages
    assert {found[0] for found in pages.values()} == {1, 2}, f"blocket ska ha mött sidans fot: {pages}"
    for key, pdf in stressed.items():
        blocks = signature_blocks(read_pages(pdf), adjusters=1)
        assert all(len(found) == 1 for _, found in blocks), (key, blocks)


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_no_heading_alone_at_the_foot_of_a_page(stressed):
    problems = [problem for pdf in stressed.values() for problem in page_end_problems(pdf)]
    assert problems == []


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_page_number_clear_of_the_boxes_on_every_stressed_page(stressed):
    problems = [problem for pdf in stressed.values() for problem in stamp_collisions(pdf, boxes_expected=True)]
    assert problems == []


# ------------------------------------------------------------ the packet's page stamp


def _signature_boxes_page(path: Path) -> None:
    """A protokollsutdrag-like page: text, and at its foot two empty boxes as wide as the page."""
    fonts = register_fonts()
    c = canvas.Canvas(str(path), pagesize=A4, initialFontName=fonts.regular)
    c.setFont(fonts.regular, 10)
    for i in range(30):
        c.drawString(72, A4[1] - 90 - 14 * i, f"Rad {i + 1}: nämnden beslutar enligt förslaget.")
    c.setLineWidth(0.5)
    c.rect(20, 12, 300, 60, stroke=1, fill=0)  # Justerandes signatur
    c.rect(320, 12, A4[0] - 335, 60, stroke=1, fill=0)  # Utdragsbestyrkande
    c.setFont(fonts.regular, 6)
    c.drawString(24, 64, "Justerandes signatur")
    c.drawString(324, 64, "Utdragsbestyrkande")
    c.showPage()
    c.save()


def test_packet_stamp_stays_out_of_signature_boxes(tmp_path):
    source, out = tmp_path / "utdrag.pdf", tmp_path / "stamplad.pdf"
    _signature_boxes_page(source)
    [placement] = stamp.stamp_pages(source, out)
    assert not placement.covered
    assert placement.position.startswith("top-"), placement
    box = stamps(out)[1]
    frames = [(20, A4[1] - 72, 320, A4[1] - 12), (320, A4[1] - 72, A4[0] - 15, A4[1] - 12)]
    assert not any(_overlap(box, frame) for frame in frames), box


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_packet_stamp_clear_of_signature_boxes_in_the_bilagor(demo_build):
    packet = demo_build / "kallelse.pdf"
    pages = read_pages(packet)
    with_boxes = [n for n, page in enumerate(pages, start=1) if "Justerandes signatur" in page]
    assert with_boxes, "kallelsens bilagor har protokollsutdrag med signaturrutor"
    found, pieces = stamps(packet), drawn_lines(packet)
    for number in with_boxes:
        frame = [p for p in pieces[number - 1] if p[2] - p[0] < 580]
        assert frame and not any(_overlap(found[number], p) for p in frame), (number, found[number])


def test_covered_pages_are_named_in_swedish(tmp_path, caplog):
    fonts = register_fonts()
    source = tmp_path / "mork.pdf"
    c = canvas.Canvas(str(source), pagesize=A4, initialFontName=fonts.regular)
    for dark in (True, False, True, True):
        if dark:
            c.setFillGray(0.2)
            c.rect(0, 0, *A4, stroke=0, fill=1)
        else:
            c.drawString(72, 700, "En vanlig sida.")
        c.showPage()
    c.save()
    with caplog.at_level(logging.INFO, logger="meetingdocs.pdf.stamp"):
        stamp.stamp_pages(source, tmp_path / "ut.pdf")
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert messages == ["På sidorna 1, 3–4 (av 4) fanns inget fritt hörn för sidnumret; där står det på en vit "
                        "ruta längst ned till höger."]


def test_pages_text():
    assert stamp.pages_text([7]) == "sidan 7"
    assert stamp.pages_text([3, 7]) == "sidorna 3, 7"
    assert stamp.pages_text([9, 3, 4, 5, 12]) == "sidorna 3–5, 9, 12"


def test_no_motion_on_a_proposal_that_does_not_exist(broken, tmp_path):
    record = broken / DEMO / "protokoll.yaml"
    replace(record, "  13: Informationen läggs till handlingarna.\n",
            "  13:\n    yrkanden:\n      - namn: Jörgen Persson\n        typ: bifallsyrkande\n"
            "    beslut: Informationen läggs till handlingarna.\n")
    refused(broken, tmp_path / "packets", "protokoll.yaml", f"rad {_line_of(record, 'yrkanden:')}",
            "beslut.13.yrkanden", "punkt 13 (Informationer 2020) har inget förslag till beslut",
            "Skriv 'typ: yrkande'")
