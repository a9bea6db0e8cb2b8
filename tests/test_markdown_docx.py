"""Tests for meetingdocs.markdown_docx: Markdown -> native docx content.

Every rendering test builds a document, inserts Markdown before an anchor
paragraph, removes the anchor, saves, reopens the file with python-docx and
asserts on what was read back. Images are made with Pillow in the test.
The last part tests check_markdown, the load-time check.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Emu, Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image

from meetingdocs.markdown_docx import (
    MarkdownContext,
    bookmark_heading,
    check_markdown,
    insert_markdown,
    remove_paragraph,
)
from meetingdocs.markdown_tables import plan_table


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def render(tmp_path, md: str, *, heading_shift: int = 0, before: str | None = None,
           after: str | None = None):
    """Insert `md` into a fresh document, save, reopen and return it."""
    document = docx.Document()
    if before is not None:
        document.add_paragraph(before)
    anchor = document.add_paragraph("{{ANCHOR}}")
    if after is not None:
        document.add_paragraph(after)
    insert_markdown(anchor, md, heading_shift=heading_shift)
    remove_paragraph(anchor)
    return roundtrip(document, tmp_path)


def roundtrip(document, tmp_path, name: str = "out.docx"):
    path = tmp_path / name
    document.save(str(path))
    return docx.Document(str(path))


def blocks(document) -> list:
    return list(document.iter_inner_content())


def paragraphs(document) -> list[Paragraph]:
    return list(document.paragraphs)


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def full_text(document) -> str:
    return "\n".join(texts(document))


def all_runs(paragraph: Paragraph):
    """Runs of a paragraph including those inside hyperlinks."""
    result = []
    for item in paragraph.iter_inner_content():
        if hasattr(item, "runs"):
            result.extend(item.runs)
        else:
            result.append(item)
    return result


def twips(length) -> int:
    return round(length.twips) if length is not None else 0


def num_pr(paragraph: Paragraph) -> tuple[int, int] | None:
    """(numId, ilvl) of a numbered paragraph, else None."""
    pPr = paragraph._p.pPr
    if pPr is None or pPr.numPr is None:
        return None
    return pPr.numPr.numId.val, pPr.numPr.ilvl.val


def level_definition(document, num_id: int, ilvl: int):
    """The w:lvl that numbering instance ``num_id`` uses at level ``ilvl``."""
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(num_id)
    abstract_id = num.abstractNumId.val
    abstract = next(a for a in numbering.iterchildren(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(abstract_id))
    return next(lvl for lvl in abstract.iterchildren(qn("w:lvl")) if lvl.get(qn("w:ilvl")) == str(ilvl))


def _val(element, tag: str) -> str:
    return element.find(qn(tag)).get(qn("w:val"))


def drawn(document) -> list[str]:
    """Each paragraph's text with the label Word draws before it ("•\tett", "3.\ttre"): the numbering
    definitions read as Word reads them (a counter per instance and level, which starts at w:start and
    begins anew under every item of a level above)."""
    counters: dict[int, dict[int, int]] = {}
    result = []
    for paragraph in document.paragraphs:
        numbered = num_pr(paragraph)
        if numbered is None:
            result.append(paragraph.text)
            continue
        num_id, ilvl = numbered
        levels = counters.setdefault(num_id, {})
        lvl = level_definition(document, num_id, ilvl)
        levels[ilvl] = levels[ilvl] + 1 if ilvl in levels else int(_val(lvl, "w:start"))
        for deeper in [k for k in levels if k > ilvl]:
            del levels[deeper]
        label = _val(lvl, "w:lvlText")
        if _val(lvl, "w:numFmt") == "decimal":
            for level, count in levels.items():
                label = label.replace(f"%{level + 1}", str(count))
        result.append(f"{label}\t{paragraph.text}")
    return result


# --------------------------------------------------------------------------
# Headings and paragraphs
# --------------------------------------------------------------------------


def test_headings_map_to_heading_styles(tmp_path):
    doc = render(tmp_path, "# Ett\n\n## Två\n\n### Tre\n\n#### Fyra\n\n##### Fem\n\nBrödtext")
    got = [(p.style.name, p.text) for p in paragraphs(doc)]
    assert got == [
        ("Heading 1", "Ett"),
        ("Heading 2", "Två"),
        ("Heading 3", "Tre"),
        ("Heading 4", "Fyra"),
        ("Heading 4", "Fem"),
        ("Normal", "Brödtext"),
    ]


def test_heading_shift(tmp_path):
    doc = render(tmp_path, "# Ett\n\n## Två\n\n### Tre\n\n###### Sex", heading_shift=1)
    got = [(p.style.name, p.text) for p in paragraphs(doc)]
    assert got == [
        ("Heading 1", "Ett"),
        ("Heading 1", "Två"),
        ("Heading 2", "Tre"),
        ("Heading 4", "Sex"),
    ]


def test_missing_heading_style_is_created(tmp_path):
    document = docx.Document()
    styles_elm = document.styles.element
    for style in list(styles_elm):
        if style.get(qn("w:styleId")) == "Heading2":
            styles_elm.remove(style)
    assert "Heading 2" not in document.styles
    anchor = document.add_paragraph()
    insert_markdown(anchor, "## Underrubrik")
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    (p,) = paragraphs(doc)
    assert p.style.name == "Heading 2"
    assert p.style.type == WD_STYLE_TYPE.PARAGRAPH
    assert p.text == "Underrubrik"


def test_paragraphs_soft_and_hard_line_breaks(tmp_path):
    md = "första raden  \nandra raden\\\ntredje\nfortsätter\n\nNytt stycke"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert [p.text for p in ps] == ["första raden\nandra raden\ntredje fortsätter", "Nytt stycke"]
    assert all(p.style.name == "Normal" for p in ps)
    assert len(ps[0]._p.findall(".//" + qn("w:br"))) == 2


def test_bold_italic_code_runs(tmp_path):
    doc = render(tmp_path, "vanlig **fet** *kursiv* ***båda*** **fet *och kursiv*** `kod & <x>`")
    (p,) = paragraphs(doc)
    assert p.text == "vanlig fet kursiv båda fet och kursiv kod & <x>"
    runs = {r.text: r for r in p.runs}
    assert runs["fet"].bold and not runs["fet"].italic
    assert runs["kursiv"].italic and not runs["kursiv"].bold
    assert runs["båda"].bold and runs["båda"].italic
    assert runs["och kursiv"].bold and runs["och kursiv"].italic
    assert not runs["vanlig "].bold and not runs["vanlig "].italic
    assert runs["kod & <x>"].font.name == "Liberation Mono"
    assert runs["fet"].font.name != "Liberation Mono"


# --------------------------------------------------------------------------
# Security: text is data, never markup
# --------------------------------------------------------------------------


def test_raw_html_and_template_syntax_stay_literal(tmp_path):
    md = "<b>x</b> & {{ namn }} {% if a %}"
    doc = render(tmp_path, md)
    (p,) = paragraphs(doc)
    assert p.text == md
    assert not any(r.bold for r in all_runs(p))


def test_entities_and_html_blocks_stay_literal(tmp_path):
    md = "&amp; &copy; &#65; &lt;\n\n<div>\nblock *text*\n</div>\n\n<script>alert(1)</script>"
    doc = render(tmp_path, md)
    got = full_text(doc)
    assert "&amp; &copy; &#65; &lt;" in got
    assert "<div>" in got and "</div>" in got
    assert "<script>alert(1)</script>" in got


def test_control_characters_are_dropped(tmp_path):
    md = "före\x00\x01\x08\x0b\x0c\x0e\x1f\x02\x03efter **fet\x07**"
    doc = render(tmp_path, md)
    (p,) = paragraphs(doc)
    assert p.text == "föreefter fet"


def test_swedish_text_round_trip(tmp_path):
    md = "Åsa, Örjan och Ärla: ”citat” – § 3 – ’enkel’ – 2\u00a0151\u202fkr – €"
    doc = render(tmp_path, f"# Å Ä Ö\n\n{md}\n\n- åäö ÅÄÖ")
    assert drawn(doc) == ["Å Ä Ö", md, "•\tåäö ÅÄÖ"]


# --------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------


def test_bullet_list_is_a_word_list_with_the_look_of_before(tmp_path):
    doc = render(tmp_path, "- ett\n- två\n- tre\n\nEfter")
    ps = paragraphs(doc)
    assert [p.text for p in ps] == ["ett", "två", "tre", "Efter"]  # the label is not text
    assert drawn(doc) == ["•\tett", "•\ttvå", "•\ttre", "Efter"]
    assert len({num_pr(p) for p in ps[:3]}) == 1 and num_pr(ps[3]) is None
    for p in ps[:3]:
        fmt = p.paragraph_format
        assert p.style.name == "Normal"
        assert twips(fmt.left_indent) == twips(Cm(0.63))
        assert twips(fmt.first_line_indent) == -twips(Cm(0.63))
        assert [twips(t.position) for t in fmt.tab_stops] == [twips(Cm(0.63))]
    assert ps[0].paragraph_format.space_after == Pt(0)
    assert ps[1].paragraph_format.space_after == Pt(0)
    assert ps[2].paragraph_format.space_after is None  # the list's last paragraph: normal spacing
    level = level_definition(doc, *num_pr(ps[0]))
    assert _val(level, "w:numFmt") == "bullet"
    ind = level.find(qn("w:pPr")).find(qn("w:ind"))
    assert ind.get(qn("w:left")) == ind.get(qn("w:hanging")) == str(twips(Cm(0.63)))
    assert level.find(qn("w:rPr")) is None  # the label in the paragraph's font


def test_numbered_lists_start_where_the_markdown_says_and_each_list_restarts(tmp_path):
    doc = render(tmp_path, "1. ett\n2. två\n\nText\n\n3. tre\n4. fyra\n5. fem\n\nText\n\n1. ett igen\n2. två igen")
    assert drawn(doc) == ["1.\tett", "2.\ttvå", "Text", "3.\ttre", "4.\tfyra", "5.\tfem", "Text",
                          "1.\tett igen", "2.\ttvå igen"]
    numbered = [num_pr(p) for p in paragraphs(doc)]
    assert len({n[0] for n in numbered if n}) == 3, "a numbering instance per list"
    abstracts = {doc.part.numbering_part.element.num_having_numId(n[0]).abstractNumId.val for n in numbered if n}
    assert len(abstracts) == 3, "instances that share an abstract numbering would count on in Word"


def test_lists_after_each_other_restart_and_a_bullet_list_between_does_not_count(tmp_path):
    doc = render(tmp_path, "1. a\n2. b\n\n- punkt\n\n1. c\n\n---\n\n- x\n- y")
    assert drawn(doc) == ["1.\ta", "2.\tb", "•\tpunkt", "1.\tc", "", "•\tx", "•\ty"]


def test_numbering_part_is_made_when_the_template_has_none(tmp_path):
    document = docx.Document()
    part = document.part
    for r_id, rel in list(part.rels.items()):
        if rel.reltype == RT.NUMBERING:
            part.drop_rel(r_id)
    anchor = document.add_paragraph("{{ANCHOR}}")
    insert_markdown(anchor, "1. ett\n2. två")
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    assert drawn(doc) == ["1.\tett", "2.\ttvå"]
    assert str(doc.part.numbering_part.partname) == "/word/numbering.xml"


def test_numbering_ids_follow_those_of_the_template(tmp_path):
    doc = render(tmp_path, "- a")
    numbering = doc.part.numbering_part.element
    ids = [int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num"))]
    abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))]
    assert len(ids) == len(set(ids)) and len(abstract_ids) == len(set(abstract_ids))
    assert num_pr(paragraphs(doc)[0])[0] == max(ids)
    # schema order: every abstract numbering before the first instance
    tags = [c.tag for c in numbering]
    assert tags.index(qn("w:num")) > max(i for i, t in enumerate(tags) if t == qn("w:abstractNum"))


def test_nested_lists_increase_indentation(tmp_path):
    md = "- nivå 1\n    - nivå 2\n        - nivå 3\n            1. num 4\n            2. num 4b\n- åter 1"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert drawn(doc) == [
        "•\tnivå 1", "–\tnivå 2", "•\tnivå 3", "1.\tnum 4", "2.\tnum 4b", "•\tåter 1",
    ]
    # One list: the sublists are its deeper levels (LibreOffice nests their L in the item above).
    assert [num_pr(p) for p in ps] == [(ps[0]._p.pPr.numPr.numId.val, level) for level in (0, 1, 2, 3, 3, 0)]
    indents = [twips(p.paragraph_format.left_indent) for p in ps]
    assert indents == [twips(Cm(0.63 * n)) for n in (1, 2, 3, 4, 4, 1)]
    assert indents[0] < indents[1] < indents[2] < indents[3]
    for p in ps:
        tab = p.paragraph_format.tab_stops[0]
        assert twips(tab.position) == twips(p.paragraph_format.left_indent)


def test_loose_list_with_several_paragraphs(tmp_path):
    """An item's further paragraph goes on after a line break in the item's paragraph: it looks the same
    (list paragraphs have no space between them) and stays in the item (a paragraph between items would
    end the list in the PDF)."""
    md = "- första\n\n- andra\n\n    fortsättning av andra\n\n    och mer\n\n- tredje\n"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert drawn(doc) == ["•\tförsta", "•\tandra\nfortsättning av andra\noch mer", "•\ttredje"]
    assert len(ps[1]._p.findall(".//" + qn("w:br"))) == 2
    assert all(p.paragraph_format.space_after == Pt(0) for p in ps[:2])


def test_item_paragraph_after_a_sublist_stays_a_paragraph_of_its_own(tmp_path):
    md = "- a\n\n    - b\n\n    mer om a\n\n- c\n"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert drawn(doc) == ["•\ta", "–\tb", "mer om a", "•\tc"]
    assert twips(ps[2].paragraph_format.left_indent) == twips(Cm(0.63)) and not ps[2].paragraph_format.first_line_indent


def test_a_paragraph_never_goes_on_in_a_heading_or_a_code_block(tmp_path):
    doc = render(tmp_path, "- ### Rubrik i punkt\n\n    text under\n\n        kod\n\n    mer\n\n    ännu mer")
    ps = paragraphs(doc)
    assert drawn(doc) == ["•\tRubrik i punkt", "text under", "kod", "mer\nännu mer"]
    assert ps[0].style.name == "Heading 3"


def test_an_item_that_starts_with_a_sublist_or_is_empty_gets_a_label_alone(tmp_path):
    doc = render(tmp_path, "1. \n2. - inre\n3. tre")
    assert drawn(doc) == ["1.\t", "2.\t", "–\tinre", "3.\ttre"]


def test_sublists_that_one_numbering_cannot_say_get_their_own(tmp_path):
    """Numbered under one item, bullets at the same depth under the next; a numbered sublist that starts
    at 5; a second numbered sublist under the same item: each right, with a numbering of its own."""
    md = ("- a\n    1. a1\n    2. a2\n- b\n    - b1\n- c\n    5. c5\n- d\n    1. d1\n\n    text\n\n"
          "    1. d1 igen\n\n- e\n    1. e1")
    doc = render(tmp_path, md)
    assert drawn(doc) == ["•\ta", "1.\ta1", "2.\ta2", "•\tb", "–\tb1", "•\tc", "5.\tc5", "•\td", "1.\td1",
                          "text", "1.\td1 igen", "•\te", "1.\te1"]
    ids = [num_pr(p) for p in paragraphs(doc)]
    main = ids[0][0]
    assert ids[1] == ids[2] == ids[8] == ids[12] == (main, 1), "under a new item a level begins anew"
    assert len({ids[4][0], ids[6][0], ids[10][0], main}) == 4
    assert ids[4][1] == ids[6][1] == ids[10][1] == 0


def test_a_list_in_a_quote_and_deeper_than_word_levels(tmp_path):
    md = "> - citerad\n>     1. inre\n\n" + "".join("    " * n + f"- {n + 1}\n" for n in range(11))
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert drawn(doc)[:2] == ["•\tciterad", "1.\tinre"]
    assert twips(ps[0].paragraph_format.left_indent) == twips(Emu(Cm(1) + Cm(0.63)))
    for quoted in ps[:2]:  # an italic label, like the quote around it: the paragraph mark is italic
        assert quoted._p.pPr.find(qn("w:rPr")).find(qn("w:i")) is not None
    assert ps[2]._p.pPr.find(qn("w:rPr")) is None
    assert [d.split("\t")[0] for d in drawn(doc)[2:]] == ["•", "–"] * 5 + ["•"]
    deep = [num_pr(p) for p in ps[2:]]
    assert [level for _, level in deep] == list(range(9)) + [0, 1], "a tenth level starts a numbering of its own"
    assert [twips(p.paragraph_format.left_indent) for p in ps[2:]] == [twips(Cm(0.63 * n)) for n in range(1, 12)]


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def test_table_structure_alignment_and_header(tmp_path):
    md = (
        "| Namn | Antal | Mitten |\n"
        "|:-----|------:|:------:|\n"
        "| Äpple | 12 | *x* |\n"
        "| Päron | **3** | [länk](https://example.se) |\n"
    )
    doc = render(tmp_path, md, before="Före", after="Efter")
    tables = doc.tables
    assert len(tables) == 1
    table = tables[0]
    assert len(table.rows) == 3 and len(table.columns) == 3
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Namn", "Antal", "Mitten"],
        ["Äpple", "12", "x"],
        ["Päron", "3", "länk"],
    ]
    assert table.style is not None and table.style.name == "Table Grid"
    # Header row: bold runs and repeat-header flag.
    header = table.rows[0]
    assert all(r.bold for c in header.cells for r in c.paragraphs[0].runs)
    assert header._tr.trPr is not None
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is None
    # Body cells are not bold unless marked.
    assert not any(r.bold for r in table.cell(1, 0).paragraphs[0].runs)
    assert table.cell(2, 1).paragraphs[0].runs[0].bold
    assert table.cell(1, 2).paragraphs[0].runs[0].italic
    assert table.cell(2, 2).paragraphs[0].hyperlinks[0].address == "https://example.se"
    # Alignment.
    for row in range(3):
        assert table.cell(row, 1).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert table.cell(row, 2).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert table.cell(row, 0).paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
    # Full text width, shared out in fixed column widths.
    section = doc.sections[0]
    text_width = Emu(section.page_width - section.left_margin - section.right_margin).twips
    tblW = table._tbl.tblPr.find(qn("w:tblW"))
    assert tblW.get(qn("w:type")) == "dxa"
    assert abs(int(tblW.get(qn("w:w"))) - text_width) <= 3
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert abs(sum(grid) - text_width) <= 3
    assert not table.autofit
    # Order: Före, table, Efter.
    kinds = [type(b).__name__ + ":" + (b.text if isinstance(b, Paragraph) else "") for b in blocks(doc)]
    assert kinds == ["Paragraph:Före", "Table:", "Paragraph:Efter"]


def test_economy_table_from_delarsrapport(tmp_path):
    md = (
        "## Ekonomi\n\n"
        "| Intäkter och kostnader i tkr | Ack utfall | Ack budget | Bud-Utf Diff |\n"
        "|---|---:|---:|---:|\n"
        "| Intäkter | 2 151 | 1 980 | 171 |\n"
        "| Personalkostnader | -1 474 | -1 520 | 46 |\n"
        "| Övriga kostnader | -512 | -460 | -52 |\n"
        "| **Resultat** | **165** | **0** | **165** |\n\n"
        "Nämnden redovisar ett överskott.\n"
    )
    doc = render(tmp_path, md)
    kinds = [type(b).__name__ for b in blocks(doc)]
    assert kinds == ["Paragraph", "Table", "Paragraph"]
    assert doc.paragraphs[0].style.name == "Heading 2"
    table = doc.tables[0]
    assert len(table.rows) == 5 and len(table.columns) == 4
    assert [c.text for c in table.rows[0].cells] == [
        "Intäkter och kostnader i tkr", "Ack utfall", "Ack budget", "Bud-Utf Diff",
    ]
    assert [c.text for c in table.rows[1].cells] == ["Intäkter", "2 151", "1 980", "171"]
    assert [c.text for c in table.rows[2].cells] == ["Personalkostnader", "-1 474", "-1 520", "46"]
    # The label column is wide enough for its longest word and wider than the number columns.
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert grid[0] > max(grid[1:])
    assert Emu(table.cell(2, 0).width).pt > len("Personalkostnader") * 11 * 0.5
    assert [c.text for c in table.rows[3].cells] == ["Övriga kostnader", "-512", "-460", "-52"]
    assert [c.text for c in table.rows[4].cells] == ["Resultat", "165", "0", "165"]
    assert all(r.bold for c in table.rows[4].cells for r in c.paragraphs[0].runs)
    for row in table.rows:
        assert row.cells[0].paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
        for cell in row.cells[1:]:
            assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert doc.paragraphs[1].text == "Nämnden redovisar ett överskott."


def test_table_without_table_grid_style(tmp_path):
    document = docx.Document()
    styles_elm = document.styles.element
    for style in list(styles_elm):
        if style.get(qn("w:styleId")) == "TableGrid":
            styles_elm.remove(style)
    anchor = document.add_paragraph()
    insert_markdown(anchor, "| a | b |\n|---|---|\n| 1 | 2 |")
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    table = doc.tables[0]
    assert table._tbl.tblPr.find(qn("w:tblStyle")) is None
    assert [[c.text for c in r.cells] for r in table.rows] == [["a", "b"], ["1", "2"]]


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------


def test_hyperlinks_are_real_external_links(tmp_path):
    md = "Se [kommunens **webb**](https://www.example.se/a?b=1&c=2) och <https://example.org/x>."
    doc = render(tmp_path, md)
    (p,) = paragraphs(doc)
    assert p.text == "Se kommunens webb och https://example.org/x."
    links = p.hyperlinks
    assert [(h.text, h.address) for h in links] == [
        ("kommunens webb", "https://www.example.se/a?b=1&c=2"),
        ("https://example.org/x", "https://example.org/x"),
    ]
    for h in links:
        r_id = h._hyperlink.get(qn("r:id"))
        rel = doc.part.rels[r_id]
        assert rel.reltype == RT.HYPERLINK
        assert rel.is_external
    link_runs = links[0].runs
    assert all(r.style.name == "Hyperlink" for r in link_runs)
    assert {r.text: bool(r.bold) for r in link_runs} == {"kommunens ": False, "webb": True}
    style = doc.styles["Hyperlink"]
    assert style.type == WD_STYLE_TYPE.CHARACTER
    assert style.font.color.rgb == RGBColor(0x05, 0x63, 0xC1)
    assert style.font.underline


def test_unsafe_link_scheme_is_plain_text(tmp_path):
    doc = render(tmp_path, "[klicka](javascript:alert(1)) och [fil](file:///etc/passwd)")
    (p,) = paragraphs(doc)
    assert p.text == "klicka och fil"
    assert p.hyperlinks == []
    assert not [r for r in doc.part.rels.values() if r.reltype == RT.HYPERLINK]


# --------------------------------------------------------------------------
# Other blocks
# --------------------------------------------------------------------------


def test_blockquote_rule_code_and_image(tmp_path, caplog):
    md = (
        "> citerad\n> text\n\n"
        "---\n\n"
        "```\nrad 1 & <x>\n  rad 2\n```\n\n"
        "    indragen kod\n\n"
        "![Karta över området](karta.png)"
    )
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    # Without a context nobody knows the Markdown file's folder: the image
    # cannot be found, so its alt text is written instead, with a warning.
    assert [p.text for p in ps] == [
        "citerad text", "", "rad 1 & <x>\n  rad 2", "indragen kod", "[Bild: Karta över området]",
    ]
    assert any("karta.png" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    quote, rule, fenced, indented, image = ps
    assert twips(quote.paragraph_format.left_indent) == twips(Cm(1))
    assert all(r.italic for r in quote.runs)
    bottom = rule._p.find(qn("w:pPr") + "/" + qn("w:pBdr") + "/" + qn("w:bottom"))
    assert bottom is not None and bottom.get(qn("w:val")) == "single"
    for code in (fenced, indented):
        assert all(r.font.name == "Liberation Mono" for r in code.runs)
        assert all(r.font.size == Pt(9) for r in code.runs)
    assert fenced._p.findall(".//" + qn("w:br"))


def test_order_relative_to_surrounding_paragraphs(tmp_path):
    md = "# Rubrik\n\nStycke\n\n| a |\n|---|\n| 1 |\n\n- punkt"
    doc = render(tmp_path, md, before="Före", after="Efter")
    seq = [
        ("T", b.rows[0].cells[0].text) if isinstance(b, Table) else ("P", b.text)
        for b in blocks(doc)
    ]
    assert seq == [
        ("P", "Före"), ("P", "Rubrik"), ("P", "Stycke"), ("T", "a"), ("P", "punkt"), ("P", "Efter"),
    ]
    assert "{{ANCHOR}}" not in full_text(doc)


def test_insert_inside_table_cell(tmp_path):
    document = docx.Document()
    document.add_paragraph("Före tabellen")
    outer = document.add_table(rows=1, cols=2)
    cell = outer.cell(0, 1)
    cell.paragraphs[0].text = "cell före"
    anchor = cell.add_paragraph("{{ANCHOR}}")
    cell.add_paragraph("cell efter")
    insert_markdown(anchor, "### Beslut\n\nNämnden **beslutar**\n\n- att godkänna\n\n| x | y |\n|---|--:|\n| 1 | 2 |")
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    cell = doc.tables[0].cell(0, 1)
    assert [p.text for p in cell.paragraphs] == [
        "cell före", "Beslut", "Nämnden beslutar", "att godkänna", "cell efter",
    ]
    assert num_pr(cell.paragraphs[3]) is not None
    assert cell.paragraphs[1].style.name == "Heading 3"
    assert len(cell.tables) == 1
    inner = cell.tables[0]
    assert [[c.text for c in r.cells] for r in inner.rows] == [["x", "y"], ["1", "2"]]
    # The nested table sits between the list item and "cell efter".
    tags = [child.tag for child in cell._tc if child.tag != qn("w:tcPr")]
    assert tags[-2:] == [qn("w:tbl"), qn("w:p")]
    assert doc.paragraphs[0].text == "Före tabellen"
    assert doc.tables[0].cell(0, 0).text == ""


def test_table_as_last_cell_content_keeps_a_paragraph(tmp_path):
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1)
    anchor = outer.cell(0, 0).paragraphs[0]
    anchor.text = "{{ANCHOR}}"
    insert_markdown(anchor, "| a | b |\n|---|---|\n| 1 | 2 |")
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    tc = doc.tables[0].cell(0, 0)._tc
    children = [child.tag for child in tc if child.tag != qn("w:tcPr")]
    assert children == [qn("w:tbl"), qn("w:p")]
    assert "{{ANCHOR}}" not in doc.tables[0].cell(0, 0).text


def test_remove_paragraph_removes_body_paragraph(tmp_path):
    document = docx.Document()
    document.add_paragraph("ett")
    victim = document.add_paragraph("två")
    document.add_paragraph("tre")
    remove_paragraph(victim)
    doc = roundtrip(document, tmp_path)
    assert texts(doc) == ["ett", "tre"]


def test_empty_markdown_inserts_nothing(tmp_path):
    doc = render(tmp_path, "  \n\n", before="Före", after="Efter")
    assert texts(doc) == ["Före", "Efter"]


@pytest.mark.parametrize("md", ["<notatag>text</notatag> **b**", "<span>inuti</span>", "a <br> b"])
def test_unknown_tags_never_drop_text(tmp_path, md):
    doc = render(tmp_path, md)
    assert full_text(doc) == md.replace("**", "")


@pytest.mark.parametrize(
    "attrs, expected",
    [
        ({"style": "text-align: right;"}, WD_ALIGN_PARAGRAPH.RIGHT),
        ({"align": "right"}, WD_ALIGN_PARAGRAPH.RIGHT),
        ({"align": "center"}, WD_ALIGN_PARAGRAPH.CENTER),
        ({"style": "text-align:center"}, WD_ALIGN_PARAGRAPH.CENTER),
        ({}, None),
    ],
)
def test_cell_alignment_from_style_or_align_attribute(attrs, expected):
    # The tables extension emits either style="text-align: ..." or align="...".
    from meetingdocs.markdown_docx import _cell_alignment
    from meetingdocs.markdown_tree import Node

    assert _cell_alignment(Node("td", attrs)) == expected


# --------------------------------------------------------------------------
# Images, footnotes, internal links and wide tables (issue 7)
# --------------------------------------------------------------------------






def make_image(path: Path, size: tuple[int, int], fmt: str = "PNG", dpi: int = 96) -> Path:
    """A real image file made with Pillow (no binary fixtures needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 40, 40)).save(path, fmt, dpi=(dpi, dpi))
    return path


def render_in(tmp_path, md: str, *, folder: Path | None = None, template=None):
    """Insert `md` with a context rooted in `folder`; save, reopen, return."""
    folder = folder or tmp_path
    document = docx.Document(template) if template else docx.Document()
    anchor = document.add_paragraph("{{ANCHOR}}")
    context = MarkdownContext.for_file(folder / "text.md", folder, [md])
    insert_markdown(anchor, md, context=context)
    context.resolve_links()
    remove_paragraph(anchor)
    return roundtrip(document, tmp_path)


def text_width(doc) -> int:
    section = doc.sections[0]
    return int(section.page_width - section.left_margin - section.right_margin)


def pictures(doc) -> list:
    return doc.element.body.findall(".//" + qn("wp:inline"))


def footnotes_element(doc):
    (rel,) = [r for r in doc.part.rels.values() if r.reltype == RT.FOOTNOTES]
    return rel.target_part.element


def footnote_texts(doc) -> dict[str, str]:
    notes = footnotes_element(doc)
    return {
        n.get(qn("w:id")): "".join(t.text for t in n.iter(qn("w:t")))
        for n in notes.findall(qn("w:footnote")) if n.get(qn("w:type")) is None
    }


def test_image_is_embedded_with_alt_text_at_its_own_size(tmp_path):
    make_image(tmp_path / "bilder" / "logga.png", (192, 96))
    doc = render_in(tmp_path, "Före\n\n![Kommunens logotyp](bilder/logga.png)\n\nEfter")
    (inline,) = pictures(doc)
    assert inline.docPr.get("descr") == "Kommunens logotyp"
    # 192 x 96 pixels at 96 dpi: 2 x 1 inches (PNG stores dots per metre, hence approx).
    assert inline.extent.cx == pytest.approx(914400 * 2, rel=1e-3)
    assert inline.extent.cy == pytest.approx(914400, rel=1e-3)
    (rel,) = [r for r in doc.part.rels.values() if r.reltype == RT.IMAGE]
    assert rel.target_part.blob == (tmp_path / "bilder" / "logga.png").read_bytes()
    assert texts(doc) == ["Före", "", "Efter"]


def test_large_image_is_scaled_to_the_text_width_keeping_its_proportions(tmp_path):
    make_image(tmp_path / "foto.jpg", (3000, 1500), "JPEG", dpi=72)
    doc = render_in(tmp_path, "![Foto från platsbesöket](foto.jpg)")
    (inline,) = pictures(doc)
    assert inline.extent.cx == pytest.approx(text_width(doc), abs=2)
    assert inline.extent.cx / inline.extent.cy == pytest.approx(2, rel=0.01)


def test_tall_image_is_limited_to_part_of_the_page_height(tmp_path):
    make_image(tmp_path / "lang.png", (400, 8000))
    doc = render_in(tmp_path, "![Organisationsschema](lang.png)")
    (inline,) = pictures(doc)
    section = doc.sections[0]
    height = section.page_height - section.top_margin - section.bottom_margin
    assert inline.extent.cy <= 0.7 * height + 1
    assert inline.extent.cy / inline.extent.cx == pytest.approx(20, rel=0.01)


def test_image_in_a_table_cell_fits_the_cell(tmp_path):
    make_image(tmp_path / "bred.png", (2000, 500))
    doc = render_in(tmp_path, "| Bild | Text |\n|---|---|\n| ![Diagram](bred.png) | Förklaring |")
    table = doc.tables[0]
    (inline,) = table.cell(1, 0)._tc.findall(".//" + qn("wp:inline"))
    assert inline.extent.cx <= table.cell(1, 0).width
    assert table.cell(1, 1).text == "Förklaring"


def test_two_uses_of_one_image_share_one_image_part(tmp_path):
    make_image(tmp_path / "a.png", (50, 50))
    doc = render_in(tmp_path, "![Ett](a.png) och ![Två](a.png)")
    inlines = pictures(doc)
    assert [i.docPr.get("descr") for i in inlines] == ["Ett", "Två"]
    assert len({i.docPr.get("id") for i in inlines}) == 2
    assert len([r for r in doc.part.rels.values() if r.reltype == RT.IMAGE]) == 1


def test_image_that_cannot_be_used_at_render_time_keeps_its_alt_text(tmp_path, caplog):
    doc = render_in(tmp_path, "Se ![Kartan](saknas.png) här")
    assert texts(doc) == ["Se [Bild: Kartan] här"]
    assert not pictures(doc)
    assert any("saknas.png" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_footnotes_become_word_footnotes(tmp_path):
    md = ("Första[^1] och andra[^not] och första igen[^1].\n\n"
          "[^1]: Fotnot med **fet** text och [länk](https://example.org/fot).\n"
          "[^not]: Andra fotnoten.\n\n    Andra stycket i fotnoten.")
    doc = render_in(tmp_path, md)
    (p,) = paragraphs(doc)
    refs = p._p.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) == 3
    notes = footnote_texts(doc)
    assert [notes[r.get(qn("w:id"))].strip() for r in refs] == [
        "Fotnot med fet text och länk.",
        "Andra fotnoten.Andra stycket i fotnoten.",
        "Fotnot med fet text och länk.",
    ]
    assert p.text == "Första och andra och första igen."  # the marks are numbered by Word
    # Each footnote starts with its number mark; the link lives in the footnotes part.
    element = footnotes_element(doc)
    for note in element.findall(qn("w:footnote")):
        if note.get(qn("w:type")) is None:
            assert note.find(qn("w:p")).find(".//" + qn("w:footnoteRef")) is not None
    links = element.findall(".//" + qn("w:hyperlink"))
    (rel,) = [r for r in doc.part.rels.values() if r.reltype == RT.FOOTNOTES]
    # Footnote 1 is referenced twice: Word has one footnote per reference.
    assert [rel.target_part.rels[h.get(qn("r:id"))].target_ref for h in links] == ["https://example.org/fot"] * 2
    assert "[^" not in full_text(doc)


def test_footnote_defined_in_another_piece_of_the_same_file(tmp_path):
    document = docx.Document()
    anchor = document.add_paragraph("{{ANCHOR}}")
    pieces = ["Beskrivning med fotnot[^källa].", "Förslag.\n\n[^källa]: Revisionsrapport 2020."]
    context = MarkdownContext.for_file(tmp_path / "t.md", tmp_path, pieces)
    for piece in pieces:
        insert_markdown(anchor, piece, context=context)
    context.resolve_links()
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    assert texts(doc) == ["Beskrivning med fotnot.", "Förslag."]
    assert list(footnote_texts(doc).values()) == [" Revisionsrapport 2020."]


def test_footnote_without_definition_stays_as_typed(tmp_path):
    doc = render(tmp_path, "Text[^saknas] här")
    assert texts(doc) == ["Text[^saknas] här"]


def test_internal_links_point_to_heading_bookmarks(tmp_path):
    md = ("Se [ekonomin](#ekonomi-och-åtgärder), [samma utan åäö](#ekonomi-och-atgarder), "
          "[med id](#bakgrund) och [ingenstans](#finns-inte).\n\n"
          "## Bakgrund till ärendet {#bakgrund}\n\nText.\n\n### Ekonomi och åtgärder\n\nMer.")
    doc = render_in(tmp_path, md)
    first = paragraphs(doc)[0]
    assert first.text == "Se ekonomin, samma utan åäö, med id och ingenstans."
    links = first._p.findall(qn("w:hyperlink"))
    assert ["".join(t.text for t in h.iter(qn("w:t"))) for h in links] == [
        "ekonomin", "samma utan åäö", "med id",
    ]
    bookmarks = {b.get(qn("w:name")): b.getparent() for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    targets = [Paragraph(bookmarks[h.get(qn("w:anchor"))], None).text for h in links]
    assert targets == ["Ekonomi och åtgärder", "Ekonomi och åtgärder", "Bakgrund till ärendet"]
    assert all(r.style.name == "Hyperlink" for h in first.hyperlinks for r in h.runs)
    # The link without a heading is plain text, not a dangling link.
    (plain,) = [r for r in first.runs if r.text == "ingenstans"]
    assert plain.style.name != "Hyperlink"
    assert "{#" not in full_text(doc)


def test_link_to_a_heading_written_by_the_caller(tmp_path):
    document = docx.Document()
    anchor = document.add_paragraph("{{ANCHOR}}")
    context = MarkdownContext(source=tmp_path / "t.md", base_dir=tmp_path, root_dir=tmp_path)
    insert_markdown(anchor, "Se [förslaget](#förslag-till-beslut).", context=context)
    heading = anchor.insert_paragraph_before("Regiondirektörens förslag", style="Heading 2")
    bookmark_heading(heading, "Regiondirektörens förslag", context, "Förslag till beslut")
    context.resolve_links()
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    (link,) = doc.paragraphs[0]._p.findall(qn("w:hyperlink"))
    names = [b.get(qn("w:name")) for b in doc.paragraphs[1]._p.findall(qn("w:bookmarkStart"))]
    assert link.get(qn("w:anchor")) in names


def test_link_without_text_shows_its_address(tmp_path):
    doc = render(tmp_path, "Läs mer: [](https://example.org/rapport)")
    (p,) = paragraphs(doc)
    assert p.text == "Läs mer: https://example.org/rapport"
    assert p.hyperlinks[0].address == "https://example.org/rapport"


def test_table_row_with_more_cells_than_the_header_keeps_them(tmp_path):
    doc = render(tmp_path, "| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |")
    assert [[c.text for c in r.cells] for r in doc.tables[0].rows] == [["a", "b", "", ""], ["1", "2", "3", "4"]]


def wide_table(columns: int, rows: int = 2) -> tuple[str, list[str]]:
    """A Markdown table whose every cell holds a unique word; and those words."""
    header = [f"K{c}" for c in range(1, columns + 1)]
    body = [[f"R{r}K{c}" for c in range(1, columns + 1)] for r in range(1, rows + 1)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * columns]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines), header + [w for row in body for w in row]


def cell_texts(doc) -> list[str]:
    return [c.text for t in doc.tables for row in t.rows for c in row.cells]


def test_table_a_little_too_wide_gets_a_smaller_font(tmp_path):
    md, words = wide_table(12)
    md = md.replace("K1 |", "Kostnadsställe |", 1)
    doc = render(tmp_path, md)
    (table,) = doc.tables
    assert set(words[1:]) <= set(cell_texts(doc))
    sizes = {r.font.size for row in table.rows for c in row.cells for r in c.paragraphs[0].runs}
    assert sizes and all(s is not None and s < Pt(11) for s in sizes)
    assert not doc.element.body.findall(".//" + qn("w:pPr") + "/" + qn("w:sectPr"))
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert abs(sum(grid) - Emu(text_width(doc)).twips) <= 3


def test_very_wide_table_goes_on_a_landscape_page_in_parts(tmp_path):
    md, words = wide_table(60)
    doc = render(tmp_path, f"Före\n\n{md}\n\nEfter")
    # Every cell's text is there, each in a column wide enough for its word.
    assert set(words) <= set(cell_texts(doc))
    parts = doc.tables
    assert len(parts) > 1
    assert all(t.rows[0].cells[0].text == "K1" for t in parts)
    assert [t.rows[1].cells[0].text for t in parts] == ["R1K1"] * len(parts)
    shown = [c.text for t in parts for c in t.rows[0].cells[1:]]
    assert shown == [f"K{c}" for c in range(2, 61)]
    for table in parts:
        sizes = {r.font.size for c in table.rows[1].cells for r in c.paragraphs[0].runs}
        assert sizes == {Pt(8)}
    # Portrait before, landscape for the table, portrait (the document's own section) after.
    sections = doc.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = sections[1]
    assert landscape.page_width > landscape.page_height
    width = landscape.page_width - landscape.left_margin - landscape.right_margin
    for table in parts:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
        assert sum(grid) <= Emu(width).twips + 3
    captions = [p.text for p in doc.paragraphs if p.text.startswith(("Tabellen", "Del "))]
    assert len(captions) == len(parts) and "visas i" in captions[0]
    assert doc.paragraphs[0].text == "Före" and doc.paragraphs[-1].text == "Efter"


def test_wide_table_inside_a_table_cell_is_split_but_not_rotated(tmp_path):
    md, words = wide_table(30)
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    anchor = cell.paragraphs[0]
    insert_markdown(anchor, md)
    remove_paragraph(anchor)
    doc = roundtrip(document, tmp_path)
    inner = doc.tables[0].cell(0, 0).tables
    assert len(inner) > 1
    assert set(words) <= {c.text for t in inner for row in t.rows for c in row.cells}
    assert len(doc.sections) == 1


@pytest.mark.parametrize(
    "columns, expected",
    [(3, (None, False, 1)), (10, (9.0, False, 1)), (15, (10.0, True, 1)), (60, (8.0, True, 4))],
)
def test_plan_table_steps(columns, expected):
    rows = [[f"Kolumn {c}" for c in range(columns)], [f"{c * 1000} kr" for c in range(columns)]]
    layout = plan_table(rows, columns, int(Cm(16.1)), int(Cm(25.2)), header_rows=1)
    assert (layout.font_size, layout.landscape, len(layout.parts)) == expected
    assert sorted({c for part in layout.parts for c in part}) == list(range(columns))
    for part, widths in zip(layout.parts, layout.widths):
        assert sum(widths) == int(Cm(25.2) if layout.landscape else Cm(16.1))
        assert len(part) == len(widths)


def test_plan_table_without_landscape_splits_on_the_portrait_page():
    rows = [[f"Kolumn {c}" for c in range(40)]]
    layout = plan_table(rows, 40, int(Cm(16)), None, header_rows=1)
    assert not layout.landscape and layout.split
    assert all(part[0] == 0 for part in layout.parts)
    assert all(sum(w) == int(Cm(16)) for w in layout.widths)


# --------------------------------------------------------------------------
# check_markdown: problems found at load time, with their lines
# --------------------------------------------------------------------------



@pytest.fixture
def meeting(tmp_path) -> Path:
    """A meeting folder with a case folder holding some images."""
    case = tmp_path / "2020-12-11" / "arende"
    make_image(case / "karta.png", (40, 20))
    make_image(case / "foto.jpg", (40, 20), "JPEG")
    make_image(case / "animering.gif", (40, 20), "GIF")
    make_image(tmp_path / "utanfor.png", (40, 20))
    (case / "trasig.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (case / "kapad.jpg").write_bytes((case / "foto.jpg").read_bytes()[:200])
    (case / "logga.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (case / "mapp.png").mkdir()
    return case


def check(meeting: Path, md: str):
    return check_markdown(md, meeting, meeting.parent)


@pytest.mark.parametrize("md", [
    "![Karta](karta.png)", "![Foto](foto.jpg)", "![Karta](./karta.png)",
    "![Karta](../arende/karta.png)", "![Karta][k]\n\n[k]: karta.png", "![Karta](karta.png \"Titel\")",
])
def test_usable_images_pass(meeting, md):
    assert check(meeting, md) == []


@pytest.mark.parametrize("src, words", [
    ("saknas.png", ["finns inte", "Kontrollera filnamnet"]),
    ("Karta.png", ["finns inte", "Menade du 'karta.png'?"]),
    ("../../utanfor.png", ["utanför sammanträdets mapp", "Kopiera bilden"]),
    ("/etc/hosts", ["fullständig sökväg"]),
    ("C:\\Bilder\\karta.png", ["fullständig sökväg"]),
    ("https://example.org/karta.png", ["internet", "aldrig hämtar något från nätet", "sammanträdets mapp"]),
    ("http://example.org/karta.png", ["internet", "aldrig hämtar något från nätet"]),
    ("ftp://example.org/karta.png", ["internet"]),
    ("//example.org/karta.png", ["internet"]),
    ("file:///tmp/karta.png", ["file:-adress", "Kopiera bilden"]),
    ("data:image/png;base64,iVBORw0KGgo=", ["data:-adress", "PNG- eller JPEG-fil"]),
    ("trasig.png", ["skadad", "PNG eller JPEG"]),
    ("kapad.jpg", ["skadad"]),
    ("logga.svg", ["SVG", "Spara den som PNG"]),
    ("animering.gif", ["GIF-bild", "PNG eller JPEG"]),
    ("mapp.png", ["är en mapp"]),
])
def test_images_that_cannot_be_used_are_errors_with_line_and_fix(meeting, src, words):
    md = f"Första raden.\n\nText före ![Bild]({src}) och efter."
    (issue,) = check(meeting, md)
    assert issue.line == 3 and not issue.is_warning
    assert issue.message.startswith("bilden")
    for word in words:
        assert word in issue.message


def test_image_without_alt_text_is_a_warning(meeting):
    (issue,) = check(meeting, "Text\n\n![](karta.png)")
    assert issue.is_warning and issue.line == 3
    assert "alt-text" in issue.message and "skärmläsare" in issue.message


@pytest.mark.parametrize("md, line, words", [
    ("a\n\nText <br> mer", 3, ["'<br>'", "vanlig text", "\\"]),
    ("a\n<b>fet</b>", 2, ["'<b>'", "**fet**"]),
    ("<!-- anteckning -->\n\nText", 1, ["HTML-kommentaren", "skrivs ut"]),
    ("[rapporten](rapport.pdf)", 1, ["'rapport.pdf'", "vanlig text", "https://"]),
    ("[klicka](javascript:alert(1))", 1, ["vanlig text"]),
    ("Se [nedan](#saknas)\n\n## Bakgrund", 1, ["'#saknas'", "Rubriker som finns: #bakgrund"]),
    ("Text[^1] här", 1, ["[^1]", "ingen text", "[^1]: Fotnotens text"]),
    ("Text.\n\n[^1]: Ensam fotnot", 3, ["[^1]", "ingen hänvisning"]),
    ("Text.\n\n[källa]: https://example.org", 3, ["länkdefinition", "syns inte"]),
    ("a\nb\x0cc\n", 2, ["U+000C", "tas bort"]),
    ("Beslutet innebär:\n- en budget\n- en plan", 2, ["lista", "tom rad"]),
    ("Sammanträden:\n1. februari\n2. maj", 2, ["lista", "tom rad"]),
])
def test_text_that_would_not_show_as_written_is_a_warning(meeting, md, line, words):
    (issue,) = check(meeting, md)
    assert (issue.line, issue.is_warning) == (line, True), issue
    for word in words:
        assert word in issue.message


@pytest.mark.parametrize("md", [
    "Vanlig **text** med [länk](https://example.org) och <https://example.org>.",
    "Se [nedan](#ekonomi-och-åtgärder).\n\n## Ekonomi och åtgärder",
    "Se [nedan](#ekonomi-och-atgarder).\n\n## Ekonomi och åtgärder",
    "Se [bakgrund](#bg).\n\n## Bakgrund {#bg}",
    "Text[^1].\n\n[^1]: Fotnot.",
    "`<b>` och\n\n```\n<!-- kod -->\n```",
    "Mejla [oss](mailto:a@example.org) eller ring [oss](tel:+4663147676), se www.example.org",
    "Se [källan][k].\n\n[k]: https://example.org",
    "a < b och c > d och x<y",
    "Beslutet innebär:\n\n- en budget\n- en plan",
    "- en punkt\n  som fortsätter\n- nästa punkt",
    "## Rubrik\n- punkt direkt under rubriken",
    "```\ntext\n- inte en lista\n```",
    "År\n2020 var ett bra år.",
])
def test_ordinary_markdown_has_no_issues(meeting, md):
    assert check(meeting, md) == []


def test_issues_are_sorted_by_line_errors_first(meeting):
    md = "![](saknas.png) <br>\n\n[x](y.pdf)"
    issues = check(meeting, md)
    assert [(i.line, i.is_warning) for i in issues] == [(1, False), (1, True), (3, True)]


def test_image_name_the_file_system_refuses_is_an_error_not_a_crash(meeting):
    (issue,) = check(meeting, f"![Bild]({'x' * 300}.png)")
    assert not issue.is_warning and "ogiltigt eller för långt" in issue.message


@pytest.mark.parametrize("md, level", [
    ("## Sammanfattning\n\n### Del", 2), ("# Rubrik\n\n## Under", 1), ("Bara text.", None),
    ("```\n# inte en rubrik\n```\n\nRubrik\n------", 2), ("#### Djup", 4),
])
def test_top_heading_level_is_the_shallowest_real_heading(md, level):
    from meetingdocs.markdown_tree import top_heading_level
    assert top_heading_level(md) == level
