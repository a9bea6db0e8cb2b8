"""The structure-keeping merge (meetingdocs/pdf/structure.py), read back with pikepdf.

The checks below walk the merged structure tree on their own (not with the
module's walker) and compare it with the marked content operators of every
page's content stream and with the parent tree.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import docx
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfWriter
from pypdf.annotations import Link as PypdfLink

from meetingdocs.pdf import structure
from meetingdocs.tools import libreoffice

# ------------------------------------------------------------ inputs


def _synthetic(path: Path, *, role: str, role_target: str, klass: dict, element_id: str, pages: int = 2) -> Path:
    """A small tagged PDF made by hand: per page a paragraph (MCID 0) and a link (MCID 1 + OBJR).

    Its parent tree is a /Kids number tree; it has a role map, a class map and an ID tree.
    """
    pdf = pikepdf.new()
    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    page_entries, annot_entries, ids = [], [], []
    for index in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
        page = pdf.pages[-1].obj
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            b"/Artifact BMC 0 0 1 1 re f EMC "
            b"/P <</MCID 0>> BDC BT /F1 12 Tf 10 150 Td (Text) Tj ET EMC "
            b"/Span <</MCID 1>> BDC BT /F1 12 Tf 10 100 Td (Link) Tj ET EMC")
        annot = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([10, 95, 60, 115]), Border=Array([0, 0, 0]), P=page,
            A=Dictionary(S=Name.URI, URI=String("https://example.org/")), StructParent=pages + index))
        page.Annots = Array([annot])
        page.StructParents = index
        para = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(role), P=document, Pg=page, K=0,
                                            C=Name.Big, ID=String(f"{element_id}-{index}")))
        link = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, P=document, Pg=page,
                                            K=Array([1, Dictionary(Type=Name.OBJR, Obj=annot, Pg=page)])))
        document.K.extend([para, link])
        page_entries += [index, Array([para, link])]
        annot_entries += [pages + index, link]
        ids += [String(f"{element_id}-{index}"), para]
    tree.K = Array([document])
    tree.ParentTree = pdf.make_indirect(Dictionary(Kids=Array([
        pdf.make_indirect(Dictionary(Limits=Array([0, pages - 1]), Nums=Array(page_entries))),
        pdf.make_indirect(Dictionary(Limits=Array([pages, 2 * pages - 1]), Nums=Array(annot_entries))),
    ])))
    tree.ParentTreeNextKey = 2 * pages
    tree.RoleMap = Dictionary({f"/{role[1:]}": Name(role_target)})
    tree.ClassMap = Dictionary(Big=Dictionary(klass))
    tree.IDTree = pdf.make_indirect(Dictionary(Names=Array(ids)))
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.save(path)
    return path


def _untagged(path: Path) -> Path:
    """A received PDF without tags, yet with a stray MCID and a dangling /StructParents."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0].obj
    page.Resources = Dictionary(Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                                              BaseFont=Name.Helvetica)))
    page.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC BT /F1 12 Tf 10 150 Td (Mottagen) Tj ET EMC")
    page.StructParents = 0
    pdf.save(path)
    return path


@pytest.fixture(scope="module")
def synthetic_parts(tmp_path_factory) -> list[structure.Part]:
    folder = tmp_path_factory.mktemp("synthetic")
    first = _synthetic(folder / "a.pdf", role="/Stycke", role_target="/P",
                       klass={"/O": Name.Layout, "/SpaceBefore": 6}, element_id="x")
    second = _synthetic(folder / "b.pdf", role="/Stycke", role_target="/H1",
                        klass={"/O": Name.Layout, "/SpaceBefore": 12}, element_id="x", pages=3)
    return [structure.Part(first, "Första"), structure.Part(_untagged(folder / "c.pdf"), "Mottagen bilaga"),
            structure.Part(second, "Andra")]


@pytest.fixture(scope="module")
def libreoffice_pdfs(tmp_path_factory) -> list[Path]:
    """Two tagged PDFs made by LibreOffice from tiny docx files (two pages each)."""
    folder = tmp_path_factory.mktemp("lo")
    sources = []
    for number in (1, 2):
        document = docx.Document()
        document.add_heading(f"Tjänsteskrivelse {number}", 1)
        document.add_paragraph("Förvaltningen föreslår att nämnden beslutar enligt förslaget.")
        document.add_paragraph("")
        document.add_page_break()
        document.add_heading("Bakgrund", 2)
        for line in ("Första punkten", "Andra punkten"):
            document.add_paragraph(line, style="List Bullet")
        sources.append(folder / f"dokument-{number}.docx")
        document.save(sources[-1])
    return libreoffice.convert_to_pdf(sources, folder / "pdf", profile_dir=folder / "profil", isolate_network=False)


# ------------------------------------------------- independent checks


def _kids(node) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _page_index(pdf: pikepdf.Pdf) -> dict:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def walk_tree(pdf: pikepdf.Pdf):
    """(page index, mcid) -> owning elements, and annotation objgen -> Link-or-other element owning the OBJR.

    Also checks that every element's /P is the node it hangs under.
    """
    pages = _page_index(pdf)
    marked: dict[tuple[int, int], list] = {}
    objrs: dict[tuple[int, int], list] = {}
    tree = pdf.Root.StructTreeRoot

    def visit(elem, parent, page):
        assert elem.P.objgen == parent.objgen, f"/P of {elem.S} does not point at its parent"
        page = elem.get("/Pg", page)
        for kid in _kids(elem):
            if isinstance(kid, int):
                marked.setdefault((pages[page.objgen], int(kid)), []).append(elem)
            elif kid.get("/Type") == Name.MCR:
                marked.setdefault((pages[kid.get("/Pg", page).objgen], int(kid.MCID)), []).append(elem)
            elif kid.get("/Type") == Name.OBJR:
                objrs.setdefault(kid.Obj.objgen, []).append(elem)
            else:
                visit(kid, elem, page)

    for top in _kids(tree):
        visit(top, tree, None)
    return marked, objrs


def content_mcids(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    found = set()
    for index, page in enumerate(pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                found.add((index, int(operands[1].MCID)))
    return found


def assert_sound_tree(pdf: pikepdf.Pdf, *, untagged_pages: set[int] = frozenset()) -> None:
    """Every MCID of every tagged page in exactly one element; parent tree and keys agree, no orphans;
    every Link annotation is an OBJR of a Link element."""
    marked, objrs = walk_tree(pdf)
    assert {key: len(owners) for key, owners in marked.items() if len(owners) != 1} == {}
    expected = {(page, mcid) for page, mcid in content_mcids(pdf) if page not in untagged_pages}
    assert set(marked) == expected
    tree = pdf.Root.StructTreeRoot
    parent_tree = dict(pikepdf.NumberTree(tree.ParentTree).items())
    pages = _page_index(pdf)
    used = Counter()
    for index, page in enumerate(pdf.pages):
        if "/StructParents" in page.obj:
            key = int(page.obj.StructParents)
            used[key] += 1
            for mcid, elem in enumerate(parent_tree[key]):
                if not isinstance(elem, Dictionary):
                    assert (index, mcid) not in marked
                    continue
                assert [e.objgen for e in marked[(index, mcid)]] == [elem.objgen]
        else:
            assert not any(page_index == index for page_index, _ in marked)
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") == Name.Link:
                owners = objrs.get(annot.objgen, [])
                assert [str(e.S) for e in owners] == ["/Link"], f"link on page {index + 1} has no Link element"
                assert str(annot.get("/Contents", "")).strip()
            if "/StructParent" in annot:
                used[int(annot.StructParent)] += 1
                assert parent_tree[int(annot.StructParent)].objgen == objrs[annot.objgen][0].objgen
    assert set(used) == set(parent_tree), "parent tree keys without a page or annotation, or the reverse"
    assert max(used.values()) == 1, "a parent tree key used twice"
    assert int(tree.ParentTreeNextKey) > max(parent_tree)
    assert all(owner in pages for owner in (e.Pg.objgen for es in marked.values() for e in es if "/Pg" in e))


def parts_of(pdf: pikepdf.Pdf) -> list:
    tree = pdf.Root.StructTreeRoot
    (document,) = _kids(tree)
    assert document.S == Name.Document
    return [kid for kid in _kids(document) if kid.get("/S") == Name.Part]


# ------------------------------------------------------------- tests


def test_synthetic_parts_merge_into_one_document_with_titled_parts(synthetic_parts, tmp_path):
    result = structure.merge(synthetic_parts, tmp_path / "ut.pdf")
    with pikepdf.open(result.out) as pdf:
        assert len(pdf.pages) == 2 + 1 + 3 == result.pages
        assert [str(p.T) for p in parts_of(pdf)] == ["Första", "Andra"]
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "sv-SE"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert_sound_tree(pdf, untagged_pages={2})
        first, second = parts_of(pdf)
        assert {_page_index(pdf)[e.Pg.objgen] for e in _kids(first)} == {0, 1}
        assert {_page_index(pdf)[e.Pg.objgen] for e in _kids(second)} == {3, 4, 5}


def test_untagged_input_joins_without_structure_and_is_reported(synthetic_parts, tmp_path):
    result = structure.merge(synthetic_parts, tmp_path / "ut.pdf")
    assert [part.title for part in result.untagged] == ["Mottagen bilaga"]
    with pikepdf.open(result.out) as pdf:
        assert "/StructParents" not in pdf.pages[2].obj  # its dangling key is gone
        assert pdf.pages[2].Contents.read_bytes().startswith(b"/P <</MCID 0>> BDC")  # content as it was


def test_only_untagged_inputs_give_no_tree(synthetic_parts, tmp_path):
    result = structure.merge([synthetic_parts[1]], tmp_path / "ut.pdf")
    with pikepdf.open(result.out) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert "/StructParents" not in pdf.pages[0].obj
    assert len(result.untagged) == 1


def test_role_map_class_map_and_ids_merge_with_conflicts_renamed(synthetic_parts, tmp_path):
    result = structure.merge(synthetic_parts, tmp_path / "ut.pdf")
    with pikepdf.open(result.out) as pdf:
        tree = pdf.Root.StructTreeRoot
        assert dict(tree.RoleMap.items()) == {"/Stycke": Name.P, "/Del3_Stycke": Name.H1}
        assert tree.ClassMap.Big.SpaceBefore == 6 and tree.ClassMap.Del3_Big.SpaceBefore == 12
        first, second = parts_of(pdf)
        assert {str(e.S) for e in _kids(first)} == {"/Stycke", "/Link"}
        assert {str(e.S) for e in _kids(second)} == {"/Del3_Stycke", "/Link"}
        assert {str(e.C) for e in _kids(second) if "/C" in e} == {"/Del3_Big"}
        ids = dict(pikepdf.NameTree(tree.IDTree).items())
        assert sorted(ids) == ["Del3_x-0", "Del3_x-1", "x-0", "x-1", "x-2"]  # only colliding IDs renamed
        for key, elem in ids.items():
            assert str(elem.ID) == key


def test_links_added_and_removed_after_the_merge_are_settled(synthetic_parts, tmp_path):
    merged = structure.merge(synthetic_parts, tmp_path / "ut.pdf").out
    writer = PdfWriter(clone_from=str(merged))  # as assemble.finish does
    del writer.pages[0]["/Annots"]  # a link taken away: its OBJR must go
    new_link = PypdfLink(rect=(10, 10, 80, 30), target_page_index=4)
    writer.add_annotation(2, new_link)  # on the untagged page
    writer.add_annotation(3, PypdfLink(rect=(10, 10, 80, 30), target_page_index=0))
    finished = tmp_path / "klar.pdf"
    with finished.open("wb") as handle:
        writer.write(handle)
    assert structure.settle(finished) == 2
    with pikepdf.open(finished) as pdf:
        assert_sound_tree(pdf, untagged_pages={2})
        first, second = parts_of(pdf)
        # page 1's link is gone: its text stays, no longer as a link
        assert [str(e.S) for e in _kids(first)] == ["/Stycke", "/Span", "/Stycke", "/Link"]
        added = [e for e in _kids(second) if "/Alt" in e]
        assert [str(e.Alt) for e in added] == ["Gå till sidan 1"]
        assert all(pdf.pages[i].obj.Tabs == Name.S for i in (1, 2, 3))
        assert all(int(a.F) & 4 for page in pdf.pages for a in page.get("/Annots", []))


@pytest.mark.libreoffice
def test_libreoffice_documents_keep_their_trees(libreoffice_pdfs, synthetic_parts, tmp_path):
    parts = [structure.Part(libreoffice_pdfs[0], "Tjänsteskrivelse, ärende 1"), synthetic_parts[1],
             structure.Part(libreoffice_pdfs[1], "Tjänsteskrivelse, ärende 2")]
    result = structure.merge(parts, tmp_path / "ut.pdf")
    with pikepdf.open(result.out) as pdf:
        assert len(pdf.pages) == 5
        parts_found = parts_of(pdf)
        assert [str(p.T) for p in parts_found] == ["Tjänsteskrivelse, ärende 1", "Tjänsteskrivelse, ärende 2"]
        assert_sound_tree(pdf, untagged_pages={2})
        for part in parts_found:  # LibreOffice's own Document element became the part: no Document in Document
            assert "/Document" not in {str(e.get("/S")) for e in _kids(part)}
            assert [str(e.S) for e in _kids(part)][0] == "/H1"
            assert all(_kids(e) for e in _kids(part))  # empty paragraphs left out


@pytest.mark.libreoffice
def test_demo_packet_keeps_one_part_per_document(demo_build):
    with pikepdf.open(demo_build / "kallelse.pdf") as pdf:
        titles = [str(p.T) for p in parts_of(pdf)]
        assert titles[0] == "Kallelse med föredragningslista"
        assert "4. Budget 2021 (GNS/8/2020)" in titles
        assert titles.index("Tjänsteskrivelse, ärende 4") == titles.index("4. Budget 2021 (GNS/8/2020)") + 1
        separators = [t for t in titles if t[0].isdigit()]
        assert [int(t.split(".")[0]) for t in separators] == sorted(int(t.split(".")[0]) for t in separators)
        untagged = {index for index, page in enumerate(pdf.pages) if "/StructParents" not in page.obj}
        assert len(untagged) < len(pdf.pages) / 4
        assert_sound_tree(pdf, untagged_pages=untagged)
