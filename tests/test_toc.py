"""Innehållsförteckning: pagination, extraction, link boxes."""

from __future__ import annotations

import re

import pikepdf
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm

from meetingdocs.pdf.toc import TocEntry, TocLink, render_toc
from meetingdocs.tools import poppler

pytestmark = [pytest.mark.poppler, pytest.mark.libreoffice]

SLACK = 1.5  # points: poppler's word boxes against LibreOffice's link (line) boxes

TOPICS = [
    "Sammanträdestider 2021 för gymnasienämnden och dess arbetsutskott",
    "Delårsrapport per augusti med uppföljning av nämndens mål och åtgärder för ökad måluppfyllelse",
    "Yttrande över motion om kostnadsfria mensskydd på kommunens gymnasieskolor och öppna förskolor",
    "Återrapportering av internkontrollplan",
    "Budget för år 2021 med plan för åren 2022–2023, inklusive förändrade ersättningsnivåer för elever på fristående skolor",
    "Val av ombud till förbundsstämma",
    "Anmälan av delegationsbeslut",
    "Information från förvaltningschefen om läget i skolorna under pågående pandemi och åtgärder för distansundervisning",
]



def assert_numbers_follow_titles(pdf, entries) -> None:
    """Each entry's page number follows its title and a dot leader, in plain and layout text."""
    for layout in (False, True):
        text = _norm(poppler.pdftotext(pdf, layout=layout))
        pos = 0
        for e in entries:
            pos = text.index(_norm(e.title), pos) + len(_norm(e.title))
            assert re.match(rf" ?\.{{3,}} {e.page}\b", text[pos:]), (layout, e.title, text[pos:pos + 40])

def make_entries(count: int = 40) -> list[TocEntry]:
    entries = [TocEntry(0, "Kallelse med föredragningslista", 2)]
    page = 3
    n = 1
    while len(entries) < count:
        topic = TOPICS[(n - 1) % len(TOPICS)]
        entries.append(TocEntry(0, f"{n}. {topic} (GNS/{n + 9}/2020)", page))
        children = ["Tjänsteskrivelse", f"Bilaga 1: §{n + 13} GNS arbetsutskott – protokollsutdrag med särskilt yttrande från ledamöterna", "Bilaga 2: Översiktlig sammanställning"][: 1 + n % 3]
        for child in children:
            if len(entries) >= count:
                break
            entries.append(TocEntry(1, child, page))
            page += 1 + n % 4
        n += 1
    return entries


@pytest.fixture(scope="module")
def toc(tmp_path_factory):
    out = tmp_path_factory.mktemp("toc") / "toc.pdf"
    entries = make_entries(40)
    links = render_toc(entries, out, subheading="Gymnasienämnden, sammanträde 2020-11-24")
    return entries, out, links


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_pages_and_text(toc):
    entries, out, links = toc
    pages = poppler.page_count(out)
    assert pages >= 2
    text = _norm(poppler.pdftotext(out))
    assert "Innehållsförteckning" in text
    assert "Gymnasienämnden, sammanträde 2020-11-24" in text
    for e in entries:
        assert _norm(e.title) in text, e.title
    # page numbers: every entry's number follows its title and the dot
    # leader on the title's last line, in plain and in layout mode
    assert_numbers_follow_titles(out, entries)


def test_page_geometry(toc):
    _, out, _ = toc
    for page in PdfReader(out).pages:  # A4 as LibreOffice has it (whole twips), like the other documents
        assert abs(float(page.mediabox.width) - A4[0]) < 0.05
        assert abs(float(page.mediabox.height) - A4[1]) < 0.05


def test_links(toc):
    entries, out, links = toc
    assert len(links) == len(entries)
    assert [l.entry_index for l in links] == list(range(len(entries)))
    pages = poppler.page_count(out)
    for link in links:
        assert isinstance(link, TocLink)
        assert 0 <= link.toc_page_index < pages
        x0, y0, x1, y1 = link.rect
        assert 2.5 * cm - 0.05 <= x0 < x1 <= A4[0] - 2.5 * cm + 0.2
        assert 2.5 * cm - 0.05 <= y0 < y1 <= A4[1] - 2.5 * cm + 0.05
    # boxes on one page never overlap
    for a in links:
        for b in links:
            if a is not b and a.toc_page_index == b.toc_page_index:
                assert a.rect[1] >= b.rect[3] - 1e-6 or b.rect[1] >= a.rect[3] - 1e-6


def test_links_cover_their_words(toc):
    entries, out, links = toc
    words = poppler.words(out)
    for link in links:
        title_words = _norm(entries[link.entry_index].title).split()
        x0, y0, x1, y1 = link.rect
        on_page = [w for w in words if w.page == link.toc_page_index + 1]
        # the link box is LibreOffice's line box; poppler's word boxes (ascent to descent) stick out
        # of it by about a point
        inside = [
            w.text
            for w in on_page
            if x0 - 0.5 <= w.x0 and w.x1 <= x1 + 0.5 and y0 - SLACK <= A4[1] - w.y1 and A4[1] - w.y0 <= y1 + SLACK
        ]
        assert inside[: len(title_words)] == title_words
        assert inside[-1] == str(entries[link.entry_index].page)


def test_bottom_two_cm_empty(toc):
    _, out, _ = toc
    for w in poppler.words(out):
        assert A4[1] - w.y1 >= 2.5 * cm - 0.5, w
    # and nothing at all is drawn there (leaders are graphics, not text)
    for p in range(1, poppler.page_count(out) + 1):
        img = poppler.render_gray(out, p, 72)
        h = img.height
        assert img.is_blank(0, h - round(2.4 * cm), img.width, h, threshold=250, tolerance=0)


def test_level0_never_orphaned(toc):
    entries, _, links = toc
    for i in range(len(entries) - 1):
        if entries[i].level == 0 and entries[i + 1].level == 1:
            assert links[i].toc_page_index == links[i + 1].toc_page_index, i
    # the heading and first entries start on the first page
    assert links[0].toc_page_index == 0


def test_fonts_embedded(toc):
    _, out, _ = toc
    rows = poppler.pdffonts(out)
    assert {r["name"].split("+")[-1] for r in rows} == {"LiberationSans", "LiberationSans-Bold"}
    assert all(r["emb"] and r["uni"] for r in rows)


def test_wrapped_lines_and_numbers(tmp_path):
    long = "Bilaga 3: " + "mycket långt dokumentnamn om gymnasieskolans ekonomi " * 4
    entries = [TocEntry(0, "1. " + long, 7), TocEntry(1, long, 12), TocEntry(1, "X" * 200, 13)]
    out = tmp_path / "wrap.pdf"
    links = render_toc(entries, out)
    words = poppler.words(out)
    for link, entry in zip(links, entries):
        x0, y0, x1, y1 = link.rect
        assert y1 - y0 > 20  # more than one line
        inside = [w for w in words if y0 - SLACK <= A4[1] - w.y1 and A4[1] - w.y0 <= y1 + SLACK]
        number = [w for w in inside if w.text == str(entry.page)]
        assert len(number) == 1
        # the number sits on the last line, right-aligned at the margin
        assert abs(number[0].x1 - (A4[0] - 2.5 * cm)) < 1.0
        assert max(w.y1 for w in inside) == pytest.approx(number[0].y1, abs=0.5)
        # nothing runs past the right margin or into the number
        for w in inside:
            assert w.x1 <= A4[0] - 2.5 * cm + 0.5
            if w is not number[0] and abs(w.y0 - number[0].y0) < 1:
                assert w.x1 < number[0].x0 - 5


def test_empty_and_many(tmp_path):
    assert render_toc([], tmp_path / "empty.pdf") == []
    assert poppler.page_count(tmp_path / "empty.pdf") == 1
    many = [TocEntry(i % 2, f"Rad {i} åäö ÅÄÖ", i + 1) for i in range(200)]
    links = render_toc(many, tmp_path / "many.pdf")
    assert len(links) == 200
    assert poppler.page_count(tmp_path / "many.pdf") == links[-1].toc_page_index + 1 >= 4
    assert "Rad 199 åäö ÅÄÖ" in poppler.pdftotext(tmp_path / "many.pdf")


def test_every_entry_has_a_leader(tmp_path):
    """Titles that just fit the line still get a visible leader (>= 3 dots)."""
    entries = []
    base = "5. Revisionsrapport granskning av gemensamma nämnd för samverkan"
    for extra in range(0, 40):
        entries.append(TocEntry(0, base[: 40 + extra] + " (GNS/6/2020)", 15 + extra))
        entries.append(TocEntry(1, "Tjänsteskrivelse om " + "åtgärder " * (extra % 10) + "x" * extra, 16 + extra))
    out = tmp_path / "leaders.pdf"
    render_toc(entries, out)
    assert_numbers_follow_titles(out, entries)


def _elements(node, found=None):
    """Every structure element under ``node``, depth first."""
    found = [] if found is None else found
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            _elements(kid, found)
    return found


def test_tagged_heading_and_one_link_element_per_line(toc):
    """The TOC is tagged: an H1 heading, and each line's annotation belongs to exactly one Link element."""
    entries, out, _ = toc
    with pikepdf.open(out) as pdf:
        elements = _elements(pdf.Root.StructTreeRoot)
        role = {str(k): str(v) for k, v in pdf.Root.StructTreeRoot.get("/RoleMap", {}).items()}
        kinds = [role.get(str(e.S), str(e.S)) for e in elements]
        assert kinds.count("/H1") == 1
        annots = [a for page in pdf.pages for a in page.get("/Annots", [])]
        assert len({a.A.URI for a in annots}) == len(entries)
        claimed = [k.Obj.objgen for e in elements if e.S == "/Link"
                   for k in e.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
        assert sorted(claimed) == sorted(a.objgen for a in annots)
        for annot in annots:
            index = int(str(annot.A.URI).rsplit("/", 1)[1])
            assert str(annot.Contents) == f"{_norm(entries[index].title)}, sidan {entries[index].page}"
