"""Tests for meetingdocs.markdown_docx: Markdown -> native docx content.

Every test builds a document, inserts Markdown before an anchor paragraph,
removes the anchor, saves, reopens the file with python-docx and asserts on
what was read back.
"""

from __future__ import annotations

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Emu, Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from meetingdocs.markdown_docx import insert_markdown, remove_paragraph


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
    assert texts(doc) == ["Å Ä Ö", md, "•\tåäö ÅÄÖ"]


# --------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------


def test_bullet_list_markers_and_formatting(tmp_path):
    doc = render(tmp_path, "- ett\n- två\n- tre\n\nEfter")
    ps = paragraphs(doc)
    assert [p.text for p in ps] == ["•\tett", "•\ttvå", "•\ttre", "Efter"]
    for p in ps[:3]:
        fmt = p.paragraph_format
        assert p.style.name == "Normal"
        assert twips(fmt.left_indent) == twips(Cm(0.63))
        assert twips(fmt.first_line_indent) == -twips(Cm(0.63))
        assert [twips(t.position) for t in fmt.tab_stops] == [twips(Cm(0.63))]
    assert ps[0].paragraph_format.space_after == Pt(0)
    assert ps[1].paragraph_format.space_after == Pt(0)
    # No numbering definitions are used.
    assert not doc.element.body.findall(".//" + qn("w:numPr"))


def test_numbered_list_and_start_attribute(tmp_path):
    doc = render(tmp_path, "1. ett\n2. två\n\nText\n\n3. tre\n4. fyra\n5. fem")
    assert texts(doc) == ["1.\tett", "2.\ttvå", "Text", "3.\ttre", "4.\tfyra", "5.\tfem"]


def test_nested_lists_increase_indentation(tmp_path):
    md = "- nivå 1\n    - nivå 2\n        - nivå 3\n            1. num 4\n            2. num 4b\n- åter 1"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert [p.text for p in ps] == [
        "•\tnivå 1", "–\tnivå 2", "•\tnivå 3", "1.\tnum 4", "2.\tnum 4b", "•\tåter 1",
    ]
    indents = [twips(p.paragraph_format.left_indent) for p in ps]
    assert indents == [twips(Cm(0.63 * n)) for n in (1, 2, 3, 4, 4, 1)]
    assert indents[0] < indents[1] < indents[2] < indents[3]
    for p in ps:
        tab = p.paragraph_format.tab_stops[0]
        assert twips(tab.position) == twips(p.paragraph_format.left_indent)


def test_loose_list_with_several_paragraphs(tmp_path):
    md = "- första\n\n- andra\n\n    fortsättning av andra\n\n- tredje\n"
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert [p.text for p in ps] == ["•\tförsta", "•\tandra", "fortsättning av andra", "•\ttredje"]
    cont = ps[2].paragraph_format
    assert twips(cont.left_indent) == twips(Cm(0.63))
    assert not cont.first_line_indent
    assert all(p.text.strip() for p in ps)


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


def test_blockquote_rule_code_and_image(tmp_path):
    md = (
        "> citerad\n> text\n\n"
        "---\n\n"
        "```\nrad 1 & <x>\n  rad 2\n```\n\n"
        "    indragen kod\n\n"
        "![Karta över området](karta.png)"
    )
    doc = render(tmp_path, md)
    ps = paragraphs(doc)
    assert [p.text for p in ps] == [
        "citerad text", "", "rad 1 & <x>\n  rad 2", "indragen kod", "[Bild: Karta över området]",
    ]
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
        ("P", "Före"), ("P", "Rubrik"), ("P", "Stycke"), ("T", "a"), ("P", "•\tpunkt"), ("P", "Efter"),
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
        "cell före", "Beslut", "Nämnden beslutar", "•\tatt godkänna", "cell efter",
    ]
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
    from meetingdocs.markdown_docx import _cell_alignment, _Node

    assert _cell_alignment(_Node("td", attrs)) == expected
