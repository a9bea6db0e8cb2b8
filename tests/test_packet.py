"""End to end: build the demo meeting and read the PDF back.

Every assertion is on what a reader of the PDF sees: page text (pdftotext),
bookmarks and link annotations (pypdf), metadata (pdfinfo), fonts (pdffonts).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from meetingdocs.sources import load_meeting
from meetingdocs.tools import libreoffice

from conftest import DEMO, REPO

pytestmark = [pytest.mark.libreoffice, pytest.mark.poppler]


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def all_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def bookmarks(reader: PdfReader) -> list[tuple[int, str, int]]:
    result = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                result.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return result


@pytest.fixture(scope="module")
def meeting():
    meeting, _ = load_meeting(REPO / "sources" / DEMO)
    return meeting


@pytest.fixture(scope="module")
def packet(demo_build: Path) -> Path:
    return demo_build / "kallelse.pdf"


@pytest.fixture(scope="module")
def reader(packet: Path) -> PdfReader:
    return PdfReader(packet)


@pytest.fixture(scope="module")
def texts(packet: Path) -> list[str]:
    return all_pages(packet)


def test_every_page_is_stamped_with_its_number(texts):
    total = len(texts)
    assert total > 20
    for number, text in enumerate(texts, start=1):
        assert f"Sida {number} av {total}" in text, f"sidan {number} saknar sidnumret"


def test_bookmarks_are_kallelse_innehall_then_each_case_with_its_documents(reader, meeting):
    marks = bookmarks(reader)
    top = [title for depth, title, _ in marks if depth == 0]
    expected_cases = [f"{item.number}. {item.heading}" for item in meeting.cases]
    assert top == ["Kallelse", "Innehåll"] + expected_cases
    assert marks[0][2] == 0
    starts = [page for _, _, page in marks]
    assert starts == sorted(starts), "bokmärkena ska peka framåt i dokumentet"
    for item in meeting.cases:
        title = f"{item.number}. {item.heading}"
        index = next(i for i, m in enumerate(marks) if m[1] == title)
        children = [m[1] for m in marks[index + 1:index + 2 + len(item.case.attachments)]]
        assert children == ["Tjänsteskrivelse"] + [f"Bilaga {a.number}: {a.title}" for a in item.case.attachments]


def test_bookmark_targets_show_the_right_document(reader, texts, meeting):
    marks = bookmarks(reader)
    for item in meeting.cases:
        title = f"{item.number}. {item.heading}"
        index = next(i for i, m in enumerate(marks) if m[1] == title)
        separator = texts[marks[index][2]]
        assert f"Ärende {item.number}" in separator and item.case.dnr in separator
        ts_page = texts[marks[index + 1][2]]
        assert "Tjänsteskrivelse" in ts_page and item.case.dnr in ts_page
        assert _squash(item.case.title) in _squash(ts_page)
    innehall = next(page for _, title, page in marks if title == "Innehåll")
    assert "Innehållsförteckning" in texts[innehall]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# The TOC's own heading lines, not entries.
HEADER_LINES = ("Innehållsförteckning", "Gemensam nämnd för samverkan inom drift", "Sammanträde 20")


def toc_lines(texts: list[str], reader: PdfReader) -> list[tuple[str, int]]:
    marks = bookmarks(reader)
    first = next(page for _, title, page in marks if title == "Innehåll")
    last = next(page for _, title, page in marks if re.match(r"\d+\. ", title)) - 1
    lines = []
    pending = ""
    for text in texts[first:last + 1]:
        for line in text.splitlines():
            if "Sida " in line and " av " in line:
                continue
            match = re.match(r"^\s*(.*?)[\s.]*\.{3,}\s*(\d+)\s*$", line)
            if match:
                lines.append((_squash(pending + " " + match.group(1)), int(match.group(2))))
                pending = ""
            elif line.strip() and not line.strip().startswith(HEADER_LINES):
                pending = _squash(pending + " " + line)
    return lines


def test_toc_page_numbers_are_where_each_document_starts(texts, reader, meeting):
    lines = toc_lines(texts, reader)
    numbers = {title: page for title, page in lines}
    assert numbers["Kallelse med föredragningslista"] == 1
    checked = 0
    for item in meeting.cases:
        heading = _squash(f"{item.number}. {item.heading}")
        page = next(p for t, p in lines if t.endswith(heading) or heading in t)
        assert f"Ärende {item.number}" in texts[page - 1], heading
        ts = next(p for t, p in lines if t == "Tjänsteskrivelse" and p > page)
        assert item.case.dnr in texts[ts - 1] and "Tjänsteskrivelse" in texts[ts - 1]
        for attachment in item.case.attachments:
            label = _squash(f"Bilaga {attachment.number}: {attachment.title}")
            start = next(p for t, p in lines if t == label)
            assert start > ts
            if attachment.kind == "pdf":
                source_first = _squash(all_pages(attachment.path)[0])
                assert source_first[:60] in _squash(texts[start - 1])
            checked += 1
    assert checked >= 4


def test_page_count_is_the_sum_of_the_parts(reader, texts, meeting, demo_build, tmp_path):
    marks = bookmarks(reader)
    innehall = next(page for _, title, page in marks if title == "Innehåll")
    # The kallelse part is as long as kallelse.docx converted on its own.
    (kallelse_pdf,) = libreoffice.convert_to_pdf([demo_build / "kallelse.docx"], tmp_path,
                                                 profile_dir=tmp_path / "profil")
    assert innehall == len(PdfReader(kallelse_pdf).pages)
    # Each PDF bilaga is as long as its source.
    starts = sorted({page for _, _, page in marks}) + [len(reader.pages)]
    for item in meeting.cases:
        for attachment in item.case.attachments:
            if attachment.kind == "pdf":
                start = next(p for _, t, p in marks if t == f"Bilaga {attachment.number}: {attachment.title}")
                length = starts[starts.index(start) + 1] - start
                assert length == len(PdfReader(attachment.path).pages)
    assert len(reader.pages) == len(texts)


def test_agenda_lists_items_in_order_with_their_text(texts, reader, meeting):
    innehall = next(page for _, title, page in bookmarks(reader) if title == "Innehåll")
    kallelse = "\n".join(texts[:innehall])
    positions = []
    for item in meeting.agenda:
        if item.number is None:
            continue
        match = re.search(rf"^\s*{item.number}\.\s+{re.escape(item.title[:25])}", kallelse, re.M)
        assert match, f"punkt {item.number} saknas i föredragningslistan"
        positions.append(match.start())
    assert positions == sorted(positions)
    for heading in ("Ärendebeskrivning", "Förslag till beslut", "Beslutsunderlag", "Expedieras till"):
        assert heading in kallelse
    assert "Robert Hamberg (M)" in texts[0] and "Ersättare" in texts[0]


def test_links_go_to_the_right_pages(reader, texts, meeting):
    targets = {}
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and "/URI" in action.get_object():
                assert "paket.invalid" not in str(action.get_object()["/URI"])
                continue
            dest = annot.get("/Dest")
            if dest is None and action is not None:
                dest = action.get_object().get("/D")
            assert dest is not None
            target = reader.get_page_number(dest[0].get_object())
            targets.setdefault(index, []).append(target)
    marks = bookmarks(reader)
    innehall = next(page for _, title, page in marks if title == "Innehåll")
    separators = {page for d, title, page in marks if d == 0 and re.match(r"\d+\. ", title)}
    agenda_targets = {t for i in range(innehall) for t in targets.get(i, [])}
    assert agenda_targets == separators, "varje ärende i föredragningslistan ska länka till sitt försättsblad"
    toc_targets = [t for t in targets.get(innehall, [])]
    expected = len(toc_lines(texts, reader))
    assert len(toc_targets) >= min(expected, 10)
    assert set(toc_targets) >= separators & set(range(innehall, len(reader.pages)))


def test_metadata_language_and_fonts(packet, reader, meeting):
    info = subprocess.run(["pdfinfo", str(packet)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Title:\s+Kallelse {re.escape(meeting.committee.name)} {DEMO}", info, re.M)
    assert re.search(rf"^Author:\s+{re.escape(meeting.committee.name)}", info, re.M)
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE"
    fonts = subprocess.run(["pdffonts", str(packet)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows
    for row in rows:
        assert " yes " in row, f"typsnittet är inte inbäddat: {row}"


def test_swedish_characters_and_table_survive(texts):
    joined = "\n".join(texts)
    assert "Återstående medel från 2018" in joined
    assert "Östersunds kommun" in joined
    table_row = next(line for line in joined.splitlines() if "Konsultkostnader" in line)
    assert re.search(r"Konsultkostnader\s+-1 474\s+-1 015\s+-459", table_row)


def test_kallelse_docx_opens_and_holds_the_agenda(demo_build, meeting):
    document = docx.Document(demo_build / "kallelse.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    for item in meeting.agenda:
        if item.number is not None:
            assert f"{item.number}. {item.heading}" in text
    section = document.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.05 and abs(section.page_height.cm - 29.7) < 0.05
    assert 'w:val="sv-SE"' in document.styles.element.xml
    assert "paket.invalid" not in str([r.target_ref for r in document.part.rels.values() if r.is_external])
