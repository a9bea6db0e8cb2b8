"""What LibreOffice tags from our documents, read back from the structure tree of the published PDFs.

One command-line protokoll build of the demo, one item's Ärendebeskrivning given lists of every kind; the
protokoll, an utdrag and the anslagsbevis are read with pikepdf (the structure tree) and pypdf (the text
of each marked-content sequence, tagged or artifact): one H1 per document and no skipped heading level, no
layout grid tagged as a table, the vote table with header cells, no empty paragraphs, the identification
of the document (organisation, kind, date) as tagged text on page 1, not only in the page header (an
artifact), and Markdown lists as L > LI > (Lbl, LBody), nested where the Markdown nests them. The
kallelse of the shared demo build (``demo_build``) has its Beslutsunderlag as a list.
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import DEMO, REPO, run_build
from meetingdocs.pdf.lists import label_list_items

ORGANISATION = "Region Jämtland Härjedalen"
HEADING = re.compile(r"H([1-6])")


@dataclass
class Element:
    type: str  # the standard type, through the role map
    mcids: list[tuple[int, int]]  # (page index, MCID) of the element's own content
    kids: list["Element"] = field(default_factory=list)
    title: str = ""  # /T: a merged packet's parts are titled

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


def structure(pdf: Path) -> Element:
    """The structure tree, each element with its standard type and its own marked content."""
    with pikepdf.open(pdf) as document:
        pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        root = document.Root.StructTreeRoot
        roles = {str(k): str(v) for k, v in root.get("/RoleMap", {}).items()}
        return _element(root, "StructTreeRoot", None, roles, pages)


def _element(node, kind: str, page, roles: dict, pages: dict) -> Element:
    if "/Pg" in node:
        page = pages.get(node.Pg.objgen, page)
    element = Element(kind, [], title=str(node.get("/T", "")))
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, int):
            element.mcids.append((page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            raw = str(kid.S)
            element.kids.append(_element(kid, _standard(raw, roles), page, roles, pages))
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            kid_page = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
            element.mcids.append((kid_page, int(kid.MCID)))
    return element


def _standard(kind: str, roles: dict) -> str:
    seen = set()
    while kind in roles and kind not in seen and roles[kind] != kind:
        seen.add(kind)
        kind = roles[kind]
    return kind.lstrip("/")


@functools.lru_cache(maxsize=None)
def marked_text(pdf: Path, page: int) -> tuple[dict[int, str], str]:
    """The text of each MCID of ``page`` (0-based), and the text inside /Artifact sequences."""
    stack: list[object] = []
    by_mcid: dict[int, str] = {}
    artifact: list[str] = []

    def before(operator, args, cm, tm):
        if operator in (b"BDC", b"BMC"):
            tag = str(args[0])
            props = args[1] if len(args) > 1 else None
            mcid = props.get("/MCID") if hasattr(props, "get") else None
            stack.append("artifact" if tag == "/Artifact" else int(mcid) if mcid is not None else None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(value, cm, tm, font, size):
        owner = next((s for s in reversed(stack) if s is not None), None)
        if owner == "artifact":
            artifact.append(value)
        elif isinstance(owner, int):
            by_mcid[owner] = by_mcid.get(owner, "") + value

    PdfReader(pdf).pages[page].extract_text(visitor_operand_before=before, visitor_text=text)
    return by_mcid, " ".join(artifact)


def own_text(pdf: Path, element: Element) -> str:
    texts = {}
    for page, mcid in element.mcids:
        if page not in texts:
            texts[page] = marked_text(pdf, page)[0]
    return " ".join(" ".join(texts[page].get(mcid, "") for page, mcid in element.mcids).split())


def headings(tree: Element) -> list[tuple[int, Element]]:
    return [(int(m.group(1)), e) for e in tree.walk() if (m := HEADING.fullmatch(e.type))]


# Markdown lists of every kind, added to § 33's Ärendebeskrivning (the protokoll's Sammanfattning).
LISTS = """
Punktlista:

- Första punkten
- Andra punkten

Nästlad lista:

- Nivå ett
    - Nivå två
        1. Nivå tre
- Åter nivå ett

Från steg 3:

3. Tredje steget
4. Fjärde steget

Därefter en ny lista:

1. Första igen
2. Andra igen

"""
LISTS_CASE = "sammantradestider-2021.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    sources = tmp_path_factory.mktemp("tagging-sources") / "sources"
    shutil.copytree(REPO / "sources", sources)
    case = sources / DEMO / LISTS_CASE
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("## Förslag till beslut", LISTS + "## Förslag till beslut", 1), encoding="utf-8")
    out = tmp_path_factory.mktemp("tagging")
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    return out / DEMO


DOCUMENTS = {  # output: the text of its one H1
    "protokoll.pdf": "PROTOKOLL",
    "utdrag/protokollsutdrag-34.pdf": "PROTOKOLLSUTDRAG",
    "anslagsbevis.pdf": "Bevis om anslag",
    "anslagsbevis-omedelbar.pdf": "Bevis om anslag",
}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name, title", DOCUMENTS.items())
def test_one_h1_first_and_no_skipped_level(built, name, title):
    pdf = built / name
    found = headings(structure(pdf))
    levels = [level for level, _ in found]
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert own_text(pdf, found[0][1]) == title
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"{name}: rubriknivåer hoppar {jumps}"


@pytest.mark.libreoffice
def test_the_protokoll_nests_paragraphs_under_its_title(built):
    pdf = built / "protokoll.pdf"
    found = {own_text(pdf, e): level for level, e in headings(structure(pdf))}
    assert found["Underskrifter"] == found["Bevis om anslag"] == found["§ 34"] == 2
    assert found["Budget 2021 (GNS/8/2020)"] == 3 and found["Beslut"] == 4
    assert found["Hur man överklagar"] == 2 and found["Gäller § 34 (justerad omedelbart)"] == 3


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_table_has_header_cells_and_no_paragraph_is_empty(built, name):
    """The layout grids (närvaro, signatures, anslag) are paragraphs; a table left is data with TH."""
    tree = structure(built / name)
    tables = [e for e in tree.walk() if e.type == "Table"]
    for table in tables:
        first_row = next(e for e in table.walk() if e.type == "TR")
        assert first_row.kids and all(cell.type == "TH" for cell in first_row.kids), name
    in_tables = {id(e) for table in tables for e in table.walk()}
    empty = [e for e in tree.walk() if e.type == "P" and not e.mcids and not e.kids and id(e) not in in_tables]
    assert not empty, f"{name}: {len(empty)} tomma stycken"


@pytest.mark.libreoffice
def test_the_vote_table_is_the_protokolls_only_table_and_has_a_header_row(built):
    pdf = built / "protokoll.pdf"
    tables = [e for e in structure(pdf).walk() if e.type == "Table"]
    assert len(tables) == 1, "närvaro, underskrifter och anslag är inga tabeller"
    header = [own_text(pdf, p) for cell in tables[0].walk() if cell.type == "TH" for p in cell.walk()]
    assert [t for t in header if t] == ["Ledamot", "Ja", "Nej", "Avstår"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name, kind", [("protokoll.pdf", "PROTOKOLL"),
                                        ("utdrag/protokollsutdrag-34.pdf", "PROTOKOLLSUTDRAG")])
def test_identification_is_tagged_text_on_page_one(built, name, kind):
    by_mcid, artifact = marked_text(built / name, 0)
    tagged = " ".join(" ".join(by_mcid.values()).split())
    for text in (ORGANISATION, kind, "Sammanträdesdatum 2020-12-11"):
        assert text in tagged, f"{name}: '{text}' saknas i den taggade texten"
        assert text not in artifact, f"{name}: '{text}' står två gånger på sidan 1 (även i sidhuvudet)"
    if name.startswith("utdrag"):
        assert "Gemensam nämnd för samverkan" in tagged


LAYOUT_TEMPLATES = ["protokoll.docx", "utdrag.docx", "anslagsbevis.docx", "kallelse.docx", "tjansteskrivelse.docx"]


@pytest.mark.parametrize("template", LAYOUT_TEMPLATES)
def test_templates_lay_out_without_tables_and_empty_paragraphs(template):
    """Grids in the body are tab stops, spacing is paragraph spacing (headers and footers may use tables)."""
    body = docx.Document(REPO / "templates" / template).element.body
    assert body.find(qn("w:tbl")) is None, template
    empty = [p for p in body.iterchildren(qn("w:p")) if not "".join(p.itertext()).strip()
             and p.find(".//" + qn("w:sectPr")) is None]
    assert not empty, f"{template}: {len(empty)} tomma stycken"


# ------------------------------------------------------------------ lists


def list_items(pdf: Path, element: Element) -> list:
    """An L read back: per LI, (its label, its body's text, its sublists read back the same way).
    Asserts the shape L > LI > (Lbl, LBody) on the way."""
    assert element.type == "L"
    items = []
    for item in element.kids:
        assert item.type == "LI" and [k.type for k in item.kids] == ["Lbl", "LBody"], [k.type for k in item.kids]
        label, body = item.kids
        sublists = [list_items(pdf, k) for k in body.kids if k.type == "L"]
        text = " ".join(own_text(pdf, e) for k in body.kids if k.type != "L" for e in k.walk())
        items.append((own_text(pdf, label), " ".join(text.split()), sublists))
    return items


def top_lists(tree: Element) -> list[Element]:
    """The L elements that stand in no other L, in reading order."""
    found = []

    def visit(element: Element) -> None:
        for kid in element.kids:
            if kid.type == "L":
                found.append(kid)
            else:
                visit(kid)

    visit(tree)
    return found


@pytest.fixture(scope="module")
def protokoll_lists(built) -> list:
    pdf = built / "protokoll.pdf"
    return [list_items(pdf, element) for element in top_lists(structure(pdf))]


@pytest.mark.libreoffice
def test_a_bullet_list_is_a_list_with_labels(protokoll_lists):
    assert [("•", "Första punkten", []), ("•", "Andra punkten", [])] in protokoll_lists


@pytest.mark.libreoffice
def test_a_nested_list_sits_in_the_item_above_it(protokoll_lists):
    nested = [("•", "Nivå ett", [[("–", "Nivå två", [[("1.", "Nivå tre", [])]])]]), ("•", "Åter nivå ett", [])]
    assert nested in protokoll_lists


@pytest.mark.libreoffice
def test_an_ordered_list_starts_at_its_first_number_and_the_next_list_restarts(protokoll_lists):
    from_three = [("3.", "Tredje steget", []), ("4.", "Fjärde steget", [])]
    again = [("1.", "Första igen", []), ("2.", "Andra igen", [])]
    assert from_three in protokoll_lists and again in protokoll_lists
    assert protokoll_lists.index(again) == protokoll_lists.index(from_three) + 1


@pytest.mark.libreoffice
def test_no_label_is_left_in_the_text_of_a_list_item(built):
    for name in ("protokoll.pdf", "utdrag/protokollsutdrag-33.pdf"):
        pdf = built / name
        bodies = [e for e in structure(pdf).walk() if e.type == "LBody"]
        assert bodies, name
        texts = [own_text(pdf, p) for body in bodies for p in body.kids[:1]]
        assert not [t for t in texts if t[:1] in "•–" or re.match(r"\d+\.\s", t)], name


def _following(tree: Element, pdf: Path, heading_text: str) -> list[Element]:
    """The element after each heading whose text is ``heading_text``."""
    found = []
    for element in tree.walk():
        for heading, after in zip(element.kids, element.kids[1:]):
            if HEADING.fullmatch(heading.type) and own_text(pdf, heading) == heading_text:
                found.append(after)
    return found


def packet_parts(pdf: Path) -> dict[str, Element]:
    """The parts of a merged packet by title."""
    return {e.title: e for e in structure(pdf).walk() if e.type == "Part"}


@pytest.mark.libreoffice
def test_the_kallelse_gives_beslutsunderlag_as_a_list(demo_build):
    pdf = demo_build / "kallelse.pdf"
    after = _following(packet_parts(pdf)["Kallelse med föredragningslista"], pdf, "Beslutsunderlag")
    assert len(after) >= 9 and all(e.type == "L" for e in after), [e.type for e in after]
    items = [item for element in after for item in list_items(pdf, element)]
    assert all(label == "•" and text and not sub for label, text, sub in items), items
    assert items[0] == ("•", "Tjänsteskrivelse – Sammanträdestider 2021", [])


@pytest.mark.libreoffice
def test_every_list_item_the_packet_makes_has_label_and_body(demo_build):
    """The kallelse and the tjänsteskrivelser (received bilagor are tagged as their sender tagged them)."""
    parts = packet_parts(demo_build / "kallelse.pdf")
    ours = [part for title, part in parts.items() if title.startswith(("Kallelse", "Tjänsteskrivelse"))]
    items = [e for part in ours for e in part.walk() if e.type == "LI"]
    assert len(items) > 20
    assert all([k.type for k in item.kids] == ["Lbl", "LBody"] for item in items)


# ------------------------------------------------- label_list_items on hand-made PDFs


def _tagged_list(path: Path, items: list[list[str]], *, with_label: bool = False) -> Path:
    """A one-page PDF with L > LI > LBody > P per item, each string of an item a marked-content sequence
    of its P (as LibreOffice 7.4 writes a list: the label first); ``with_label``: LI > (Lbl, LBody) already."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(300, 300))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    lst = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.L, P=root))
    root.K = pikepdf.Array([lst])
    content, kids, mcid = [], [], 0
    for row, texts in enumerate(items):
        item = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LI, P=lst))
        body = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=item))
        para = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.P, P=body,
                                                    Pg=page.obj))
        mcids = []
        for column, text in enumerate(texts):
            encoded = text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            content.append(b"/P <</MCID %d>> BDC BT /F1 10 Tf %d %d Td (%s) Tj ET EMC"
                           % (mcid, 20 + 30 * column, 280 - 20 * row, encoded))
            mcids.append(mcid)
            mcid += 1
        para.K = pikepdf.Array(mcids)
        body.K = pikepdf.Array([para])
        item.K = pikepdf.Array([body])
        if with_label:
            label = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Lbl, P=item))
            item.K = pikepdf.Array([label, body])
        kids.append(item)
    lst.K = pikepdf.Array(kids)
    page.obj.Contents = pdf.make_stream(b"\n".join(content))
    pdf.Root.StructTreeRoot = root
    pdf.save(path)
    return path


def _items(pdf: Path) -> list[tuple[list[str], list[str]]]:
    """Per LI: its kids' types and the texts of its LBody's P (or Lbl)."""
    tree = structure(pdf)
    return [([k.type for k in item.kids], [own_text(pdf, e) for k in item.kids for e in k.walk() if e.mcids])
            for item in tree.walk() if item.type == "LI"]


def test_labels_are_moved_into_lbl_and_the_parent_tree_follows(tmp_path):
    pdf = _tagged_list(tmp_path / "lista.pdf", [["•", "Första punkten"], ["3.", "Tredje", " steget"], ["iv)", "Fyra"]])
    assert label_list_items(pdf) == 3
    assert _items(pdf) == [(["Lbl", "LBody"], ["•", "Första punkten"]), (["Lbl", "LBody"], ["3.", "Tredje steget"]),
                           (["Lbl", "LBody"], ["iv)", "Fyra"])]
    with pikepdf.open(pdf) as document:
        owners = document.Root.StructTreeRoot.ParentTree.Nums[1]
        assert [str(owner.S) for owner in owners] == ["/Lbl", "/P", "/Lbl", "/P", "/P", "/Lbl", "/P"]


def test_what_does_not_look_like_a_label_stays_in_the_text(tmp_path):
    """A list without labels (its first words are text), an empty item (an LI needs its LBody) and an item
    that has its Lbl are left as they are."""
    pdf = _tagged_list(tmp_path / "lista.pdf", [["Beslut:", "att godkänna"], ["2020", " var ett bra år"],
                                                ["I", " övrigt"], ["•"], ["Punkt utan etikett"]])
    before = pdf.read_bytes()
    assert label_list_items(pdf) == 0
    assert pdf.read_bytes() == before
    labelled = _tagged_list(tmp_path / "med-lbl.pdf", [["•", "Redan märkt"]], with_label=True)
    assert label_list_items(labelled) == 0


def test_a_pdf_that_cannot_be_read_is_left_as_it_is(tmp_path):
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really a pdf")
    assert label_list_items(broken) == 0
    assert broken.read_bytes() == b"%PDF-1.7\nnot really a pdf"
