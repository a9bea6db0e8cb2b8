"""The page number goes to the spot our own templates keep free without rendering those pages: on every page
the build laid out itself (kallelse, innehåll, avdelare, tjänsteskrivelser, Markdown bilagor) rendering the
page would have chosen the same spot. Fails if a template ever puts something where the number goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from meetingdocs import packet, secrecy
from meetingdocs.buildkit import TEMPLATES, Converter, check_tools
from meetingdocs.cache import Cache
from meetingdocs.pdf import assemble, stamp
from meetingdocs.sources import find_meeting, load_meeting
from meetingdocs.tools import poppler

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.libreoffice


@pytest.mark.parametrize("date", ["2020-12-11", "2018-12-07"])
def test_own_pages_get_the_spot_that_looking_would_choose(date, tmp_path):
    meeting = secrecy.internal_view(load_meeting(find_meeting(REPO / "sources", date))[0])
    cache = Cache.from_environment()
    converter = Converter(cache, tmp_path / "profil", check_tools(cache))
    plan = packet.render(meeting, tmp_path, TEMPLATES)
    packet.clean_received_pdfs(plan, tmp_path, cache)
    packet.convert(plan, tmp_path, converter)
    packet.clean_converted(plan, tmp_path, cache)
    packet.paginate(plan, tmp_path, TEMPLATES, converter)
    order = [plan.kallelse.pdf, plan.toc_pdf] + [doc.pdf for _, docs in plan.cases for doc in docs]
    raw = assemble.concatenate(order, tmp_path / "sammansatt.pdf", titles=packet.part_titles(plan))
    own = packet.own_layout(plan)

    looked = stamp.stamp_pages(raw, tmp_path / "tittat.pdf")
    assumed = stamp.stamp_pages(raw, tmp_path / "antaget.pdf", own_layout=own)

    assert len(own) >= plan.kallelse.pages + plan.toc_pages + len(plan.cases)
    assert any(doc.received is not None for doc in plan.documents()), "the premise: received pages are looked at"
    assert assumed == looked


def test_pages_of_own_layout_are_not_rendered(tmp_path, monkeypatch):
    """With a pdftoppm that fails, a PDF whose every page is of our own layout is stamped all the same."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "egen.pdf"
    c = canvas.Canvas(str(pdf))
    for number in range(3):
        c.drawString(72, 720, f"Sida {number + 1} med text högst upp")
        c.showPage()
    c.save()
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "pdftoppm").write_text("#!/bin/sh\necho trasig >&2\nexit 1\n", encoding="utf-8")
    (broken / "pdftoppm").chmod(0o755)
    monkeypatch.setenv("PATH", f"{broken}{os.pathsep}{os.environ['PATH']}")

    placements = stamp.stamp_pages(pdf, tmp_path / "ut.pdf", own_layout=range(3))

    assert [p.position for p in placements] == ["bottom-right"] * 3
    with pytest.raises(poppler.PopplerError):
        stamp.stamp_pages(pdf, tmp_path / "ut2.pdf", own_layout=range(2))  # page 3 must be rendered: fails
