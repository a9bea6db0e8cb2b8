"""poppler-utils wrappers."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from meetingdocs.errors import MissingDependencyError
from meetingdocs.pdf.fonts import register_fonts
from meetingdocs.tools import poppler
from meetingdocs.tools.poppler import GrayImage, PopplerError, parse_pgm

pytestmark = pytest.mark.poppler


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory) -> Path:
    fonts = register_fonts()
    path = tmp_path_factory.mktemp("poppler") / "two.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, initialFontName=fonts.regular)
    c.setTitle("Protokoll för gymnasienämnden")
    c.setFont(fonts.regular, 14)
    c.drawString(72, 760, "Första sidan: åäö ÅÄÖ")
    c.setFillGray(0)
    c.rect(300, 300, 100, 100, stroke=0, fill=1)  # known inked area
    c.showPage()
    c.setFont(fonts.bold, 14)
    c.drawString(72, 760, "Andra sidan: Överklagande")
    c.showPage()
    c.save()
    return path


def test_version():
    v = poppler.version()
    parts = v.split(".")
    assert len(parts) >= 2 and all(p.isdigit() for p in parts)


def test_info_count_text(two_pages):
    info = poppler.pdfinfo(two_pages)
    assert info["Pages"] == "2"
    assert info["Title"] == "Protokoll för gymnasienämnden"
    assert "595" in info["Page size"]
    assert poppler.page_count(two_pages) == 2
    text = poppler.pdftotext(two_pages)
    assert "Första sidan: åäö ÅÄÖ" in text
    assert "Andra sidan: Överklagande" in text
    first = poppler.pdftotext(two_pages, first=1, last=1)
    assert "Första" in first and "Andra" not in first
    second = poppler.pdftotext(two_pages, first=2, last=2, layout=True)
    assert "Överklagande" in second and "Första" not in second


def test_words(two_pages):
    ws = poppler.words(two_pages, 2, 2)
    assert [w.text for w in ws] == ["Andra", "sidan:", "Överklagande"]
    assert all(w.page == 2 for w in ws)
    assert ws[0].x0 == pytest.approx(72, abs=0.5)
    assert A4[1] - ws[0].y1 < 760 < A4[1] - ws[0].y0


def test_pdffonts(two_pages):
    rows = poppler.pdffonts(two_pages)
    names = {r["name"].split("+")[-1] for r in rows}
    assert names == {"LiberationSans", "LiberationSans-Bold"}
    for r in rows:
        assert set(r) >= {"name", "type", "emb", "sub", "uni"}
        assert r["emb"] is True and r["sub"] is True and r["uni"] is True
        assert r["type"] == "TrueType"


def test_render_gray(two_pages):
    img = poppler.render_gray(two_pages, 1, 36)
    assert (img.width, img.height) == (round(A4[0] / 2), round(A4[1] / 2))
    assert len(img.pixels) == img.width * img.height
    # rect 300..400 x 300..400 pt -> pixels 150..200, y from top (842-400)/2..(842-300)/2
    top = round((A4[1] - 400) / 2)
    assert not img.is_blank(152, top + 2, 198, top + 48)
    assert img.is_blank(20, 600, 120, 700)  # lower left margin: nothing there
    assert img.pixel(175, top + 25) < 20
    pages = poppler.render_gray_pages(two_pages, 18)
    assert len(pages) == 2 and pages[0].width == round(A4[0] / 4)


def test_is_blank_tolerance():
    w, h = 100, 100
    px = bytearray(b"\xff" * (w * h))
    img = GrayImage(w, h, bytes(px))
    assert img.is_blank(0, 0, w, h)
    px[50 * w + 50] = 0  # one dark speck in 10 000 pixels: tolerated
    img = GrayImage(w, h, bytes(px))
    assert img.is_blank(0, 0, w, h)
    assert not img.is_blank(45, 45, 55, 55)  # 1 of 100 is more than 0.2 %
    for x in range(40):
        px[10 * w + x] = 200
    img = GrayImage(w, h, bytes(px))
    assert not img.is_blank(0, 0, w, h)
    assert img.is_blank(0, 0, w, h, threshold=200)
    assert img.is_blank(200, 200, 300, 300)  # empty box outside the image


def test_parse_pgm_with_comment():
    data = b"P5\n# comment\n3 2\n255\n" + bytes([0, 10, 20, 30, 40, 255])
    img = parse_pgm(data)
    assert (img.width, img.height, img.pixel(2, 1)) == (3, 2, 255)
    with pytest.raises(ValueError):
        parse_pgm(b"P6\n1 1\n255\nabc")


def test_not_a_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("det här är ingen pdf\n")
    with pytest.raises(PopplerError) as err:
        poppler.pdfinfo(bad)
    assert "bad.pdf" in str(err.value)
    assert err.value.source == bad
    with pytest.raises(PopplerError):
        poppler.render_gray(bad, 1, 20)
    with pytest.raises(PopplerError):
        poppler.page_count(tmp_path / "saknas.pdf")


def test_missing_tool(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingDependencyError) as err:
        poppler.version()
    assert "sudo apt-get install -y poppler-utils" in str(err.value)
