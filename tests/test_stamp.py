"""Page stamps: placement, orientation and preservation of the input."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.lib.pagesizes import A3, A4, landscape, letter
from reportlab.pdfgen import canvas

from meetingdocs.pdf.fonts import register_fonts
from meetingdocs.pdf.stamp import (
    FALLBACK,
    StampPlacement,
    apply,
    page_geometry,
    stamp_pages,
)
from meetingdocs.tools import poppler

pytestmark = pytest.mark.poppler

MB5 = (100.0, 50.0, 100.0 + A4[0], 50.0 + A4[1])  # media box with a non-zero origin
CB5 = (150.0, 120.0, 600.0, 820.0)  # crop box inside it, also off origin


def _body(c: canvas.Canvas, w: float, h: float, title: str, font: str, x0: float = 0, y0: float = 0) -> None:
    c.setFont(font, 12)
    c.drawString(x0 + 72, y0 + h - 72, title)
    c.setFont(font, 10)
    for i in range(20):
        c.drawString(x0 + 72, y0 + h - 100 - 14 * i, f"Rad {i + 1}: ärende, beslut och åtgärd för nämnden.")


def make_fixture(path: Path) -> None:
    """Seven pages covering the awkward cases (see the test for details)."""
    fonts = register_fonts()
    c = canvas.Canvas(str(path), initialFontName=fonts.regular)
    # 1: A4 portrait text with a link annotation
    c.setPageSize(A4)
    _body(c, *A4, "Sida ett: A4 stående", fonts.regular)
    c.linkURL("https://example.org/", (72, 500, 300, 520), relative=0)
    c.showPage()
    # 2: A4 landscape
    c.setPageSize(landscape(A4))
    _body(c, *landscape(A4), "Sida två: A4 liggande", fonts.regular)
    c.showPage()
    # 3: US Letter
    c.setPageSize(letter)
    _body(c, *letter, "Sida tre: US Letter", fonts.regular)
    c.showPage()
    # 4: A4 drawn portrait, shown with /Rotate 90 (set below); link on it too
    c.setPageSize(A4)
    _body(c, *A4, "Sida fyra: roterad 90 grader", fonts.regular)
    c.linkURL("https://example.org/rot", (72, 400, 300, 420), relative=0)
    c.showPage()
    # 5: media box and crop box with non-zero origins (set below)
    c.setPageSize((MB5[2], MB5[3]))
    _body(c, CB5[2] - CB5[0], CB5[3] - CB5[1], "Sida fem: beskuren", fonts.regular, CB5[0], CB5[1])
    c.showPage()
    # 6: fully covered by a dark rectangle
    c.setPageSize(A4)
    c.setFillGray(0.2)
    c.rect(0, 0, A4[0], A4[1], stroke=0, fill=1)
    c.showPage()
    # 7: ink in the bottom-right corner, bottom centre empty
    c.setPageSize(A4)
    _body(c, *A4, "Sida sju: tabell nere till höger", fonts.regular)
    c.setFillGray(0.0)
    c.rect(A4[0] - 7 * 28.35, 10, 6.5 * 28.35, 3 * 28.35, stroke=0, fill=1)
    c.showPage()
    c.save()

    reader = PdfReader(path)
    writer = PdfWriter(clone_from=reader)
    writer.pages[3].rotation = 90
    writer.pages[4].mediabox = RectangleObject(MB5)
    writer.pages[4].cropbox = RectangleObject(CB5)
    writer.write(path)


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stamp")
    src = tmp / "in.pdf"
    out = tmp / "out.pdf"
    make_fixture(src)
    placements = stamp_pages(src, out)
    return src, out, placements


def _stamp_words(out: Path, page: int, total: int) -> list[poppler.Word]:
    ws = [w for w in poppler.words(out, page, page)]
    wanted = ["Sida", str(page), "av", str(total)]
    # the stamp is the last occurrence of the sequence on the page
    for i in range(len(ws) - 4, -1, -1):
        if [w.text for w in ws[i : i + 4]] == wanted:
            return ws[i : i + 4]
    raise AssertionError(f"stamp words not found on page {page}: {[w.text for w in ws]}")


def test_text_and_count(stamped):
    src, out, placements = stamped
    assert len(placements) == 7
    assert poppler.page_count(out) == 7
    for p in range(1, 8):
        text = poppler.pdftotext(out, p, p)
        assert f"Sida {p} av 7" in text, (p, text)


def test_page_boxes_unchanged(stamped):
    src, out, _ = stamped
    before, after = PdfReader(src), PdfReader(out)
    for a, b in zip(before.pages, after.pages):
        assert list(a.mediabox) == list(b.mediabox)
        assert list(a.cropbox) == list(b.cropbox)
        assert a.rotation == b.rotation
    info_before = [poppler.pdfinfo(src)["Page size"]]
    info_after = [poppler.pdfinfo(out)["Page size"]]
    assert info_before == info_after


def test_stamp_upright_and_inside_visible_page(stamped):
    _, out, placements = stamped
    reader = PdfReader(out)
    for p in range(1, 8):
        sida, n, av, m = _stamp_words(out, p, 7)
        # horizontal for the reader, left to right, on one line
        assert sida.x1 - sida.x0 > sida.y1 - sida.y0, (p, sida)
        assert sida.x1 <= n.x0 <= av.x0 <= m.x0, p
        assert abs(sida.y0 - m.y0) < 1.0
        # pdftotext: display frame, origin top-left of the (rotated) media box
        geom = page_geometry(reader.pages[p - 1])
        mx0, _my0, _mx1, my1 = geom.mediabox
        vx0, vy0, vx1, vy1 = geom.visible
        x0, x1 = mx0 + sida.x0, mx0 + m.x1
        y_top, y_bottom = my1 - sida.y0, my1 - sida.y1
        assert vx0 <= x0 and x1 <= vx1, (p, x0, x1, geom.visible)
        assert vy0 <= y_bottom and y_top <= vy1, (p, y_bottom, y_top, geom.visible)
        # and inside the reported placement box
        pl = placements[p - 1]
        assert pl.x - 0.5 <= x0 and x1 <= pl.x + pl.width + 0.5, (p, pl, x0, x1)
        assert pl.y - 0.5 <= y_bottom and y_top <= pl.y + pl.height + 0.5, (p, pl, y_bottom, y_top)


def test_placements(stamped):
    _, out, placements = stamped
    reader = PdfReader(out)
    for pl in placements:
        assert isinstance(pl, StampPlacement)
        vx0, vy0, vx1, vy1 = page_geometry(reader.pages[pl.page_index]).visible
        assert vx0 <= pl.x and pl.x + pl.width <= vx1
        assert vy0 <= pl.y and pl.y + pl.height <= vy1
    by_index = {pl.page_index: pl for pl in placements}
    for i in (0, 1, 2, 3, 4):
        assert by_index[i].position == "bottom-right" and not by_index[i].covered, by_index[i]
        # about 1 cm from the visible right and bottom edges
        vx0, vy0, vx1, vy1 = page_geometry(reader.pages[i]).visible
        assert 20 < vx1 - (by_index[i].x + by_index[i].width) < 40
        assert 20 < by_index[i].y - vy0 < 40
    assert by_index[5].covered and by_index[5].position == FALLBACK
    assert by_index[5].y + by_index[5].height <= page_geometry(reader.pages[5]).visible[1] + 14.2
    assert by_index[6].position == "bottom-centre" and not by_index[6].covered


def test_annotations_preserved(stamped):
    src, out, _ = stamped
    before, after = PdfReader(src), PdfReader(out)
    for a, b in zip(before.pages, after.pages):
        ra = [list(x.get_object()["/Rect"]) for x in a.get("/Annots", [])]
        rb = [list(x.get_object()["/Rect"]) for x in b.get("/Annots", [])]
        assert ra == rb
    links = after.pages[0]["/Annots"]
    assert len(links) == 1
    annot = links[0].get_object()
    assert annot["/Subtype"] == "/Link"
    assert annot["/A"]["/URI"] == "https://example.org/"
    assert len(after.pages[3]["/Annots"]) == 1


def test_fonts_embedded(stamped):
    _, out, _ = stamped
    rows = poppler.pdffonts(out)
    assert rows, "no fonts found"
    assert all(r["emb"] for r in rows), rows
    assert any("LiberationSans" in r["name"] for r in rows)


def test_visible_stamp_pixels(stamped):
    """The stamp really is drawn where reported (render and look for ink)."""
    _, out, placements = stamped
    reader = PdfReader(out)
    for pl in placements:
        if pl.covered:
            continue
        geom = page_geometry(reader.pages[pl.page_index])
        img = poppler.render_gray(out, pl.page_index + 1, 72)
        vx0, vy0, vx1, vy1 = geom.visible
        box = (round(pl.x - vx0), round(vy1 - pl.y - pl.height), round(pl.x - vx0 + pl.width), round(vy1 - pl.y))
        dark, total = img.dark_count(*box, threshold=200)
        assert dark > 20, (pl, dark)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotations_with_offset_boxes(tmp_path, rotation):
    fonts = register_fonts()
    src = tmp_path / "rot.pdf"
    c = canvas.Canvas(str(src), pagesize=A3, initialFontName=fonts.regular)
    _body(c, *A3, f"Rotation {rotation}", fonts.regular)
    c.linkURL("https://example.org/", (72, 500, 300, 520), relative=0)
    c.showPage()
    c.save()
    w = PdfWriter(clone_from=PdfReader(src))
    page = w.pages[0]
    page.mediabox = RectangleObject((-30, 40, A3[0] - 30, A3[1] + 40))
    page.cropbox = RectangleObject((0, 80, A3[0] - 60, A3[1]))
    page.rotation = rotation
    w.write(src)

    out = tmp_path / "out.pdf"
    (pl,) = stamp_pages(src, out, label="Sida {n} av {m}", first_number=5, total=12)
    assert poppler.pdftotext(out).count("Sida 5 av 12") == 1
    assert pl.position == "bottom-right" and not pl.covered
    reader = PdfReader(out)
    geom = page_geometry(reader.pages[0])
    ws = [x for x in poppler.words(out) if x.text in ("Sida", "12")]
    sida, twelve = ws[-2], ws[-1]
    assert sida.x1 - sida.x0 > sida.y1 - sida.y0
    assert sida.x1 < twelve.x0
    # bottom right as the reader sees it
    mx0, _, _, my1 = geom.mediabox
    vx0, vy0, vx1, vy1 = geom.visible
    assert vx1 - (mx0 + twelve.x1) < 50
    assert (my1 - sida.y1) - vy0 < 50
    assert reader.pages[0].rotation == rotation
    assert list(reader.pages[0]["/Annots"][0].get_object()["/Rect"]) == [72, 500, 300, 520]


def test_covered_page_gets_white_box(tmp_path):
    src = tmp_path / "dark.pdf"
    c = canvas.Canvas(str(src), pagesize=A4)
    c.setFillGray(0)
    c.rect(0, 0, *A4, stroke=0, fill=1)
    c.showPage()
    c.save()
    out = tmp_path / "out.pdf"
    (pl,) = stamp_pages(src, out)
    assert pl.covered
    img = poppler.render_gray(out, 1, 72)
    # the white box is visible: the stamp area has light pixels on a black page
    box = (round(pl.x), round(A4[1] - pl.y - pl.height), round(pl.x + pl.width), round(A4[1] - pl.y))
    dark, total = img.dark_count(*box, threshold=128)
    assert dark < total * 0.5
    assert "Sida 1 av 1" in poppler.pdftotext(out)


def test_in_place_and_bad_label(tmp_path):
    src = tmp_path / "a.pdf"
    c = canvas.Canvas(str(src), pagesize=A4)
    c.drawString(72, 700, "x")
    c.showPage()
    c.save()
    stamp_pages(src, src, label="{n}/{m}")
    assert "1/1" in poppler.pdftotext(src)
    with pytest.raises(ValueError):
        stamp_pages(src, tmp_path / "b.pdf", label="{page}")


def test_apply_roundtrip():
    from meetingdocs.pdf.stamp import invert, upright_matrix

    for rot in (0, 90, 180, 270):
        m = upright_matrix((10, 20, 610, 862), rot)
        inv = invert(m)
        x, y = apply(inv, *apply(m, 33.0, 44.0))
        assert abs(x - 33) < 1e-9 and abs(y - 44) < 1e-9


# ------------------------------------------------------------ tagged input: stamps are artifacts

# operators that put ink on the page (the merge's clip path "re W n" paints nothing)
PAINTING = {"Tj", "TJ", "'", '"', "f", "f*", "F", "B", "B*", "b", "b*", "S", "s", "Do", "sh", "BI"}


def _tagged_fixture(path: Path) -> None:
    """Three tagged pages (body in /P with an MCID): free corner, covered page, ink all along the bottom."""
    fonts = register_fonts()
    c = canvas.Canvas(str(path), pagesize=A4, initialFontName=fonts.regular)
    for mcid, ink in enumerate(("none", "all", "bottom")):
        c.addLiteral(f"/P <</MCID {mcid}>> BDC")
        if ink == "all":
            c.setFillGray(0.2)
            c.rect(0, 0, *A4, stroke=0, fill=1)
        elif ink == "bottom":
            c.setFillGray(0)
            c.rect(0, 0, A4[0], 4 * 28.35, stroke=0, fill=1)
        _body(c, *A4, f"Taggad sida {mcid + 1}", fonts.regular)
        c.addLiteral("EMC")
        c.showPage()
    c.save()


def _marked_runs(page) -> list[tuple[tuple, str, list]]:
    """(enclosing marked-content stack, operator, operands) for every operator of ``page``."""
    stack: list = []
    runs = []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in ("BDC", "BMC"):
            props = operands[1] if len(operands) > 1 else None
            stack.append((str(operands[0]), props))
        elif name == "EMC":
            stack.pop()
        else:
            runs.append((tuple(stack), name, operands))
    assert not stack, "unbalanced marked content"
    return runs


def _mcids(page) -> list[int]:
    return [int(args[1].MCID) for args, op in pikepdf.parse_content_stream(page)
            if str(op) == "BDC" and isinstance(args[1], pikepdf.Dictionary) and "/MCID" in args[1]]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tagged")
    src, out = tmp / "in.pdf", tmp / "out.pdf"
    _tagged_fixture(src)
    placements = stamp_pages(src, out)
    return pikepdf.open(src), pikepdf.open(out), placements


def test_every_stamp_operator_is_a_pagination_artifact(tagged):
    _, after, placements = tagged
    assert [p.position for p in placements] == ["bottom-right", FALLBACK, "top-right"]
    for page, placement in zip(after.pages, placements):
        runs = _marked_runs(page)
        artifacts = [(stack, op, args) for stack, op, args in runs if stack and stack[0][0] == "/Artifact"]
        untagged = [op for stack, op, _ in runs if not stack and op in PAINTING]
        assert untagged == [], (placement, untagged)
        shown = "".join(str(args[0]) for _, op, args in artifacts if op == "Tj")
        assert shown == f"Sida {placement.page_index + 1} av 3"
        assert any(op == "re" for _, op, _ in artifacts) == placement.covered
        props = artifacts[0][0][0][1]
        assert props.Type == "/Pagination"
        assert props.Subtype == ("/Header" if placement.position.startswith("top-") else "/Footer")


def test_original_content_and_mcids_untouched(tagged):
    before, after, _ = tagged
    for a, b in zip(before.pages, after.pages):
        assert _mcids(a) == _mcids(b) == [before.pages.index(a)]
        original = [_resolved(a, op, args) for stack, op, args in _marked_runs(a) if stack]
        kept = [_resolved(b, op, args) for stack, op, args in _marked_runs(b) if stack and stack[0][0] == "/P"]
        assert kept == original


def _resolved(page, op: str, args) -> tuple:
    """An operator with its operands; a font by its /BaseFont (the merge may rename resources)."""
    if op == "Tf":
        return op, str(page.Resources.Font[args[0]].BaseFont), float(args[1])
    return op, [str(x) for x in args]
