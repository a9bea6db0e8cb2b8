"""What LibreOffice tags from our documents, read back from the structure tree of the published PDFs.

One command-line protokoll build of the demo; the protokoll, an utdrag and the anslagsbevis are read with
pikepdf (the structure tree) and pypdf (the text of each marked-content sequence, tagged or artifact):
one H1 per document and no skipped heading level, no layout grid tagged as a table, the vote table with
header cells, no empty paragraphs, and the identification of the document (organisation, kind, date) as
tagged text on page 1, not only in the page header (an artifact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import DEMO, REPO, run_build

ORGANISATION = "Region Jämtland Härjedalen"
HEADING = re.compile(r"H([1-6])")


@dataclass
class Element:
    type: str  # the standard type, through the role map
    mcids: list[tuple[int, int]]  # (page index, MCID) of the element's own content
    kids: list["Element"] = field(default_factory=list)

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
    element = Element(kind, [])
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


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tagging")
    result = run_build("protokoll", DEMO, sources=REPO / "sources", out=out)
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
