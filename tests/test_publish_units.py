"""The web site's parts that need no build: Markdown as safe HTML, which notices are up, the OParl shapes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetingdocs import secrecy
from meetingdocs.minutes.record import Notice
from meetingdocs.publish import oparl
from meetingdocs.publish.markup import Where, plain_text, to_html

HERE = Where("t", level=5)


def html(markdown: str, where: Where = HERE) -> str:
    return str(to_html(markdown, where))


# ------------------------------------------------------------------ Markdown


def test_raw_html_in_the_sources_is_shown_as_text():
    out = html('Hej <script>alert("x")</script> och <b onclick="x()">fet</b> &amp; <!-- kommentar -->')
    assert "<script" not in out and "<b" not in out and "<!--" not in out
    assert "&lt;script&gt;" in out and "&amp;amp;" in out


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "vbscript:x",
                                  "JaVaScRiPt:alert(1)", "../../hemlig.pdf"])
def test_a_link_without_an_allowed_scheme_keeps_only_its_text(link: str):
    out = html(f"Se [texten]({link}) här.")
    assert "<a" not in out and "texten" in out


def test_links_with_allowed_schemes_and_bare_addresses_are_links():
    out = html("Se [regionen](https://www.regionjh.se/) eller www.example.org, mejla namn@example.org.")
    assert '<a href="https://www.regionjh.se/">regionen</a>' in out
    assert '<a href="https://www.example.org">www.example.org</a>' in out
    assert '<a href="mailto:namn@example.org">namn@example.org</a>' in out


def test_a_secret_passage_never_reaches_the_page():
    text = "Öppet.\n\n::: sekretess OSL 21 kap. 1 §\nHEMLIG uppgift.\n:::\n\nOckså öppet."
    for out in (html(text), plain_text(text)):
        assert "HEMLIG" not in out and ":::" not in out
        assert secrecy.removed_text("OSL 21 kap. 1 §") in out and "Också öppet." in out


def test_headings_move_under_the_page_and_tables_get_header_scopes():
    out = html("## Bakgrund\n\ntext\n\n### Detalj\n\n| A | B |\n|---|---|\n| 1 | 2 |")
    assert "<h5>Bakgrund</h5>" in out and "<h6>Detalj</h6>" in out
    assert '<th scope="col">A</th>' in out and "<td>1</td>" in out


def test_ids_of_two_texts_on_one_page_never_collide():
    note = "Text[^1].\n\n[^1]: Fotnoten."
    first, second = html(note, Where("punkt-3-0")), html(note, Where("punkt-4-0"))
    ids = re.findall(r'id="([^"]+)"', first + second)
    assert ids and len(ids) == len(set(ids))
    for out in (first, second):  # every #link leads to an id of its own text
        assert set(re.findall(r'href="#([^"]+)"', out)) <= set(re.findall(r'id="([^"]+)"', out))


@pytest.mark.fuzz
@given(st.text(alphabet=st.sampled_from(list("<>&\"'`=/:;()[]!#*_-| \nabcjsvript@.ÅÄÖ")), max_size=200))
def test_no_markdown_makes_an_element_or_attribute_outside_the_list(markdown: str):
    out = html(markdown)
    for tag in re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", out):
        assert tag.lower() in {"p", "br", "em", "strong", "code", "pre", "blockquote", "hr", "ul", "ol", "li",
                               "sup", "sub", "del", "table", "thead", "tbody", "tr", "th", "td", "h5", "h6",
                               "div", "a"}, out
    for name, value in re.findall(r'\s([a-z-]+)="([^"]*)"', out):
        assert name in {"href", "id", "class", "scope", "start", "aria-label"}, out
        if name == "href":
            assert value.startswith(("#", "http://", "https://", "mailto:", "ftp://", "tel:")), out
    assert "<script" not in out.lower() and "javascript:" not in out.lower()


# ------------------------------------------------------------------ notices


def test_a_notice_is_up_from_its_posting_to_the_day_before_it_comes_down():
    from meetingdocs.publish.noticeboard import AdjustmentNotice

    notice = Notice(False, dt.date(2020, 12, 16), dt.date(2020, 12, 16))
    board_notice = AdjustmentNotice(site=None, notice=notice, decisions=())
    assert notice.take_down == dt.date(2021, 1, 8)  # 2021-01-06 is trettondedag jul: the last day is the 7th
    assert not board_notice.is_up(dt.date(2020, 12, 15))
    assert board_notice.is_up(dt.date(2020, 12, 16)) and board_notice.is_up(dt.date(2021, 1, 7))
    assert not board_notice.is_up(dt.date(2021, 1, 8))


# ------------------------------------------------------------------ OParl shapes


def meeting(**changes) -> dict:
    obj = {"id": "gns/2020-12-11/mote.json", "type": oparl.SCHEMA + "Meeting", "name": "GNS",
           "start": "2020-12-11T09:00:00+01:00",
           "agendaItem": [{"id": "gns/2020-12-11/mote.json#punkt-1", "type": oparl.SCHEMA + "AgendaItem",
                           "order": 0, "public": True}],
           "invitation": {"id": "gns/2020-12-11/kallelse.pdf", "type": oparl.SCHEMA + "File",
                          "accessUrl": "gns/2020-12-11/kallelse.pdf", "size": 12}}
    obj.update(changes)
    return {k: v for k, v in obj.items() if v is not ...}


def test_a_well_formed_meeting_has_no_problems():
    assert oparl.problems(meeting(), "Meeting") == []


@pytest.mark.parametrize("changes, expected", [
    ({"type": oparl.SCHEMA + "Paper"}, "type"),
    ({"id": ...}, "id saknas"),
    ({"start": "2020-12-11 09:00"}, "date-time"),
    ({"name": None}, "tomt värde"),
    ({"agendaItem": []}, "tomt värde"),
    ({"agendaItem": [{"id": "x", "type": oparl.SCHEMA + "AgendaItem"}]}, "order saknas"),
    ({"agendaItem": [{"id": "x", "type": oparl.SCHEMA + "AgendaItem", "order": "1"}]}, "integer"),
    ({"invitation": {"id": "x", "type": oparl.SCHEMA + "File"}}, "accessUrl saknas"),
    ({"cancelled": "nej"}, "boolean"),
    ({"färg": "blå"}, "hör inte till"),
])
def test_the_shapes_catch_what_oparl_forbids(changes: dict, expected: str):
    found = oparl.problems(meeting(**changes), "Meeting")
    assert found and any(expected in p for p in found), found


def test_an_image_of_the_meeting_folder_is_copied_and_one_outside_it_is_only_its_text(tmp_path):
    from PIL import Image

    from meetingdocs.publish.markup import Images

    meeting = tmp_path / "2020-12-11"
    (meeting / "arende").mkdir(parents=True)
    Image.new("RGB", (40, 20), "red").save(meeting / "arende" / "karta.png")
    Image.new("RGB", (40, 20), "blue").save(tmp_path / "utanfor.png")
    images = Images()
    where = Where("p", 4, meeting / "arende", meeting, images)
    out = html("![Karta över området](karta.png)\n\n![Utanför](../../utanfor.png)", where)
    [(name, source)] = images.files.items()
    assert source == meeting / "arende" / "karta.png" and re.fullmatch(r"bilder/[0-9a-f]{16}\.png", name)
    assert f'<img src="{name}" alt="Karta över området" width="40" height="20">' in out
    assert "utanfor" not in out and "Utanför" in out


# ------------------------------------------------------------ personnummer in a PDF


@pytest.mark.poppler
def test_a_personnummer_in_a_pdf_of_the_site_stops_it(tmp_path):
    """Defence in depth: also the PDFs (protokoll, utdrag, anslagsbevis, kallelse) are read before publishing."""
    from reportlab.pdfgen import canvas

    from meetingdocs.publish.site import SiteSourceError, refuse_personal_numbers

    staged = tmp_path / "webb"
    (staged / "gns" / "2020-12-11").mkdir(parents=True)
    (staged / "index.html").write_text("<p>Inget här.</p>", encoding="utf-8")
    drawing = canvas.Canvas(str(staged / "gns" / "2020-12-11" / "protokoll.pdf"))
    drawing.drawString(72, 720, "Sökande 19121212-1212 beviljas.")
    drawing.save()

    with pytest.raises(SiteSourceError) as raised:
        refuse_personal_numbers(staged, [])

    message = str(raised.value)
    assert "19121212-****" in message and "gns/2020-12-11/protokoll.pdf" in message
    assert "19121212-1212" not in message
