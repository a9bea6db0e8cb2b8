"""Merge tagged PDFs into one, keeping every document's structure tree.

Neither pypdf (``PdfWriter.append``) nor pikepdf/qpdf merges structure trees:
they copy pages and drop ``/StructTreeRoot``. ``merge`` does it with pikepdf:

- the pages of every part, in order (their annotations with them; the parts'
  own bookmarks and open actions are left out, as before);
- one structure tree: ``/Document`` with one ``/Part`` per tagged input,
  titled with ``/T``. A part whose tree is a single ``/Document`` element
  becomes that ``/Part`` itself (no Document inside a Document); otherwise its
  top-level elements are put under a new ``/Part``. ``/P`` is set accordingly;
- role maps, class maps and ID trees merged; a name that two parts define
  differently is renamed in the later part (``Del2_Name``) and its uses
  (``/S``, ``/C``, ``/ID``) follow;
- a new parent tree, built from the merged tree itself rather than from the
  inputs' trees: every page with marked content in the tree and every
  annotation referenced by an OBJR gets a unique key, the rest lose theirs.
  Keys cannot collide and no key is left without an entry, whatever the
  inputs' parent trees looked like (flat ``/Nums``, ``/Kids``, stale keys);
- ``/MarkInfo << /Marked true >>``, ``/Lang`` and ``DisplayDocTitle``.

Untagged inputs (a received PDF without tags) still merge: their pages join
without structure and are named in ``MergeResult.untagged``.

``settle`` is run on a finished packet after pypdf has added and removed
link annotations: it drops OBJRs of annotations that are no longer on their
page, gives every Link annotation without structure a ``/Link`` element
(with ``/Contents`` as its description) in the part of its page, sets
``/Tabs /S`` on pages with annotations and rebuilds the parent tree.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, String

log = logging.getLogger(__name__)

PART = Name.Part
DOCUMENT = Name.Document
TABLE_GRID = {Name.Table, Name.TR, Name.TH, Name.TD, Name.THead, Name.TBody, Name.TFoot}
MAX_ROLE_CHAIN = 10
PRINT_FLAG = 4  # annotation flags (ISO 32000-1, 12.5.3)
HIDING_FLAGS = 1 | 2 | 32  # Invisible, Hidden, NoView


@dataclass(frozen=True)
class Part:
    """One input of a merge: a PDF and the title of its part in the structure tree."""

    pdf: Path
    title: str


@dataclass
class MergeResult:
    out: Path
    pages: int
    untagged: list[Part] = field(default_factory=list)  # joined without structure


# ------------------------------------------------------------------ merge


def merge(parts: list[Part] | list[tuple[Path, str]], out: Path, *, language: str = "sv-SE") -> MergeResult:
    """Write the pages of ``parts`` in order to ``out`` with one merged structure tree."""
    parts = [p if isinstance(p, Part) else Part(Path(p[0]), p[1]) for p in parts]
    untagged: list[Part] = []
    with contextlib.ExitStack() as open_files, pikepdf.new() as pdf:
        merged = _MergedTree(pdf)
        for number, part in enumerate(parts, start=1):
            src = open_files.enter_context(pikepdf.open(part.pdf))  # open until saved: streams are copied lazily
            with warnings.catch_warnings():
                # pikepdf warns that extend() leaves form fields and named destinations behind: the next
                # line carries them over (add_pages_from would copy them a second time)
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(src.pages)
            _merge_document_parts(pdf, src)
            if not merged.add(src, part.title, f"Del{number}_"):
                untagged.append(part)
        merged.finish(language)
        rebuild_parent_tree(pdf)
        make_links_accessible(pdf)
        pages = len(pdf.pages)
        pdf.save(out)
    for part in untagged:
        log.debug("no structure tree in %s: its pages join the packet untagged", part.pdf)
    return MergeResult(Path(out), pages, untagged)


class _MergedTree:
    """The structure tree being built: /Document, its parts, and the merged maps."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=DOCUMENT, P=self.root, K=Array()))
        self.role_map = Dictionary()
        self.class_map = Dictionary()
        self.ids: dict[str, pikepdf.Object] = {}

    def add(self, src: pikepdf.Pdf, title: str, prefix: str) -> bool:
        """Put the tree of ``src`` under a new part; False when ``src`` has none."""
        tree = src.Root.get("/StructTreeRoot")
        if not isinstance(tree, Dictionary) or not _kids(tree):
            return False
        renamed_roles, new_roles = _merge_names(self.role_map, _dict(tree, "/RoleMap"), prefix, _same_name)
        renamed_classes, new_classes = _merge_names(self.class_map, _dict(tree, "/ClassMap"), prefix, _same_json)
        ids = _id_pairs(tree)
        renamed_ids = {old: f"{prefix}{old}" for old, _ in ids if old in self.ids}
        for elem in structure_elements(tree):
            _rename_uses(elem, renamed_roles, renamed_classes, renamed_ids)
        _drop_empty_elements(tree, keep={elem.objgen for _, elem in ids})
        part = _part_element(src, tree, title)
        holder = src.make_indirect(Dictionary(Part=part, IDs=Array([elem for _, elem in ids]),
                                              RoleMap=new_roles, ClassMap=new_classes))
        copied = self.pdf.copy_foreign(holder)  # pages were copied first: /Pg and /Obj point at the copies
        for merged, new in ((self.role_map, copied.RoleMap), (self.class_map, copied.ClassMap)):
            for key, value in new.items():
                merged[key] = value
        copied.Part.P = self.document
        self.document.K.append(copied.Part)
        for (old, _), elem in zip(ids, copied.IDs):
            self.ids[renamed_ids.get(old, old)] = elem
        return True

    def finish(self, language: str) -> None:
        root = self.pdf.Root
        if len(self.document.K):
            self.root.K = Array([self.document])
            for key, value in (("/RoleMap", self.role_map), ("/ClassMap", self.class_map)):
                if len(value):
                    self.root[key] = value
            if self.ids:
                id_tree = NameTree.new(self.pdf)
                for key, elem in self.ids.items():
                    id_tree[key] = elem
                self.root.IDTree = id_tree.obj
            root.StructTreeRoot = self.root
        root.MarkInfo = Dictionary(Marked=True)
        root.Lang = String(language)
        prefs = root.get("/ViewerPreferences")
        root.ViewerPreferences = prefs if isinstance(prefs, Dictionary) else Dictionary()
        root.ViewerPreferences.DisplayDocTitle = True


def _kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _dict(node: Dictionary, key: str) -> Dictionary:
    value = node.get(key)
    return value if isinstance(value, Dictionary) else Dictionary()


def _same_name(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    return str(a) == str(b)


def _same_json(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    return a.to_json(dereference=True) == b.to_json(dereference=True)


def _merge_names(merged: Dictionary, incoming: Dictionary, prefix: str, same) -> tuple[dict[str, str], Dictionary]:
    """What ``incoming`` adds to ``merged`` (still in the source file), and the keys renamed because two
    parts define them differently (old -> new)."""
    renamed: dict[str, str] = {}
    additions = Dictionary()
    for key in list(incoming.keys()):
        value = incoming[key]
        if key in merged and not same(merged[key], value):
            renamed[key] = key = "/" + prefix + key[1:]
        if key not in merged:
            additions[key] = value
    return renamed, additions


def _id_pairs(tree: Dictionary) -> list[tuple[str, pikepdf.Object]]:
    id_tree = tree.get("/IDTree")
    if not isinstance(id_tree, Dictionary):
        return []
    return [(str(key), elem) for key, elem in NameTree(id_tree).items() if isinstance(elem, Dictionary)]


def _rename_uses(elem: Dictionary, roles: dict[str, str], classes: dict[str, str], ids: dict[str, str]) -> None:
    if roles and str(elem.get("/S")) in roles:
        elem.S = Name(roles[str(elem.S)])
    if classes and "/C" in elem:
        c = elem.C
        if isinstance(c, Array):
            elem.C = Array([Name(classes[str(x)]) if isinstance(x, Name) and str(x) in classes else x for x in c])
        elif str(c) in classes:
            elem.C = Name(classes[str(c)])
    if ids and "/ID" in elem and str(elem.ID) in ids:
        elem.ID = String(ids[str(elem.ID)])


def drop_empty_elements(pdf: pikepdf.Pdf) -> None:
    """``_drop_empty_elements`` on a finished document (the protokoll's empty vote cells, for one)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:
        _drop_empty_elements(tree, keep=set())


def _drop_empty_elements(tree: Dictionary, keep: set[tuple[int, int]]) -> None:
    """Elements with no content, no kids and no description (LibreOffice's empty paragraphs) say nothing
    to a reader and only trip checkers: leave them out. Their parents may become empty in turn. A table's
    cells and rows stay, empty or not: without them the grid (and every header association) would shift."""
    role_map = _dict(tree, "/RoleMap")
    while True:
        empty = [e for e in structure_elements(tree)
                 if _is_empty(e) and resolve_role(e.S, role_map) not in TABLE_GRID
                 and "/ID" not in e and not (e.is_indirect and e.objgen in keep)]
        if not empty:
            return
        if not sum(_detach(elem) for elem in empty):
            return


def _is_empty(elem: Dictionary) -> bool:
    return not _kids(elem) and "/Alt" not in elem and "/ActualText" not in elem and "/E" not in elem


def _part_element(src: pikepdf.Pdf, tree: Dictionary, title: str) -> Dictionary:
    """The part's element in ``src``: its single /Document element turned into a /Part, or a new /Part."""
    kids = _kids(tree)
    role_map = _dict(tree, "/RoleMap")
    if len(kids) == 1 and _is_element(kids[0]) and resolve_role(kids[0].S, role_map) == DOCUMENT:
        part = kids[0]
    else:
        part = src.make_indirect(Dictionary(Type=Name.StructElem, K=Array(kids)))
        for kid in kids:
            if _is_element(kid):
                kid.P = part
    part.S = PART
    part.T = String(title)
    lang = src.Root.get("/Lang")
    if "/Lang" not in part and lang is not None:
        part.Lang = lang
    if "/P" in part:
        del part["/P"]  # set after copying: the source's root must not come along
    return part


def _merge_document_parts(pdf: pikepdf.Pdf, src: pikepdf.Pdf) -> None:
    """Form fields and named destinations of ``src``, as pypdf's append keeps them."""
    form = src.Root.get("/AcroForm")
    if isinstance(form, Dictionary) and isinstance(form.get("/Fields"), Array):
        if "/AcroForm" not in pdf.Root:
            rest = src.make_indirect(Dictionary({k: v for k, v in form.items() if k != "/Fields"}))
            pdf.Root.AcroForm = pdf.copy_foreign(rest)
            pdf.Root.AcroForm.Fields = Array()
        fields = src.make_indirect(Array(list(form.Fields)))
        pdf.Root.AcroForm.Fields.extend(pdf.copy_foreign(fields))
    names = src.Root.get("/Names")
    if isinstance(names, Dictionary) and isinstance(names.get("/Dests"), Dictionary):
        if "/Names" not in pdf.Root:
            pdf.Root.Names = Dictionary()
        if "/Dests" not in pdf.Root.Names:
            pdf.Root.Names.Dests = NameTree.new(pdf).obj
        merged = NameTree(pdf.Root.Names.Dests)
        for key, dest in NameTree(names.Dests).items():
            if key not in merged:
                merged[key] = pdf.copy_foreign(src.make_indirect(dest) if not dest.is_indirect else dest)


# --------------------------------------------------------- tree walking


def _is_element(node: pikepdf.Object) -> bool:
    return isinstance(node, Dictionary) and "/S" in node and node.get("/Type") not in (Name.MCR, Name.OBJR)


def resolve_role(name: pikepdf.Object, role_map: Dictionary) -> Name:
    """The standard structure type ``name`` maps to (following chains, stopping at cycles)."""
    seen = 0
    while str(name) in role_map and seen < MAX_ROLE_CHAIN and str(role_map[str(name)]) != str(name):
        name = role_map[str(name)]
        seen += 1
    return Name(str(name))


def structure_elements(tree: Dictionary) -> Iterator[Dictionary]:
    """Every structure element under ``tree``, depth first, in order; each once."""
    seen: set[tuple[int, int]] = set()
    stack = list(reversed(_kids(tree)))
    while stack:
        node = stack.pop()
        if not _is_element(node):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node
        stack.extend(reversed(_kids(node)))


@dataclass
class ContentItems:
    """What the tree says about content: marked content per owner (page or XObject), OBJRs per object."""

    marked: dict[tuple[int, int], dict[int, Dictionary]] = field(default_factory=dict)
    owners: dict[tuple[int, int], pikepdf.Object] = field(default_factory=dict)
    objects: dict[tuple[int, int], Dictionary] = field(default_factory=dict)


def content_items(tree: Dictionary) -> ContentItems:
    items = ContentItems()
    pages: dict[tuple[int, int], pikepdf.Object | None] = {}  # element -> its page, inherited
    for elem in structure_elements(tree):
        page = elem.get("/Pg") or _parent_page(elem, pages)
        pages[elem.objgen] = page
        for kid in _kids(elem):
            if isinstance(kid, int) and page is not None:
                _mark(items, page, int(kid), elem)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                owner = kid.get("/Stm") or kid.get("/Pg") or page
                if owner is not None and "/MCID" in kid:
                    _mark(items, owner, int(kid.MCID), elem)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR and "/Obj" in kid:
                if kid.Obj.is_indirect:
                    items.objects[kid.Obj.objgen] = elem
    return items


def _parent_page(elem: Dictionary, pages: dict) -> pikepdf.Object | None:
    parent = elem.get("/P")
    return pages.get(parent.objgen) if parent is not None and parent.is_indirect else None


def _mark(items: ContentItems, owner: pikepdf.Object, mcid: int, elem: Dictionary) -> None:
    items.owners[owner.objgen] = owner
    items.marked.setdefault(owner.objgen, {})[mcid] = elem


# ------------------------------------------------------- parent tree


def rebuild_parent_tree(pdf: pikepdf.Pdf) -> int:
    """A new /ParentTree from the structure tree; unique keys; returns the number of keys."""
    tree = pdf.Root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        _drop_struct_parents(pdf)
        return 0
    items = content_items(tree)
    nums = Array()
    _number_content_owners(pdf, items, nums)
    _number_annotations(pdf, items, nums)
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = len(nums) // 2
    return len(nums) // 2


def _number_content_owners(pdf: pikepdf.Pdf, items: ContentItems, nums: Array) -> None:
    """Pages (in order), then form XObjects, with marked content in the tree: key -> array by MCID."""
    owners = [page.obj for page in pdf.pages] + [o for o in items.owners.values() if not _is_page(o)]
    for owner in owners:
        marked = items.marked.get(owner.objgen)
        if marked:
            owner.StructParents = len(nums) // 2
            nums.extend([owner.StructParents,
                         pdf.make_indirect(Array([marked.get(i) for i in range(max(marked) + 1)]))])
        elif "/StructParents" in owner:
            del owner["/StructParents"]


def _number_annotations(pdf: pikepdf.Pdf, items: ContentItems, nums: Array) -> None:
    """Annotations that an OBJR refers to: key -> their element; the others lose /StructParent."""
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            elem = items.objects.get(annot.objgen) if annot.is_indirect else None
            if elem is not None:
                annot.StructParent = len(nums) // 2
                nums.extend([annot.StructParent, elem])
            elif "/StructParent" in annot:
                del annot["/StructParent"]


def _is_page(obj: pikepdf.Object) -> bool:
    return isinstance(obj, Dictionary) and obj.get("/Type") == Name.Page


def _drop_struct_parents(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annot in page.get("/Annots", []):
            if "/StructParent" in annot:
                del annot["/StructParent"]


# ------------------------------------------------------------- settle


def settle(pdf_path: Path, *, language: str = "sv-SE") -> int:
    """Bring the tree of a finished PDF in line with its annotations, in place.

    Returns the number of Link elements added for untagged link annotations.
    """
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        added = 0
        if isinstance(tree, Dictionary):
            _drop_stale_objrs(pdf, tree)
            added = _tag_untagged_links(pdf, tree)
            make_links_accessible(pdf)
            rebuild_parent_tree(pdf)
            pdf.Root.MarkInfo = Dictionary(Marked=True)
            if "/Lang" not in pdf.Root:
                pdf.Root.Lang = String(language)
        pdf.save(pdf_path)
    return added


def _annotations_on_pages(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    return {a.objgen for page in pdf.pages for a in page.get("/Annots", []) if a.is_indirect}


def _drop_stale_objrs(pdf: pikepdf.Pdf, tree: Dictionary) -> None:
    """OBJRs of annotations that are on no page (removed links) go; so do elements left empty by that."""
    on_pages = _annotations_on_pages(pdf)
    for elem in list(structure_elements(tree)):
        kids = _kids(elem)
        kept = [k for k in kids if not _stale_objr(k, on_pages)]
        if len(kept) == len(kids):
            continue
        elem.K = Array(kept)
        if elem.get("/S") == Name.Link and not any(_is_objr(k) for k in kept):
            if kept:
                elem.S = Name.Span  # the text stays; it is no longer a link
            else:
                _detach(elem)


def _is_objr(node: pikepdf.Object) -> bool:
    return isinstance(node, Dictionary) and node.get("/Type") == Name.OBJR


def _stale_objr(node: pikepdf.Object, on_pages: set) -> bool:
    if not _is_objr(node):
        return False
    obj = node.get("/Obj")
    is_annot = isinstance(obj, Dictionary) and (obj.get("/Type") == Name.Annot or "/Rect" in obj)
    return is_annot and obj.objgen not in on_pages


def _detach(elem: Dictionary) -> bool:
    """Take ``elem`` out of its parent's kids; False when it is not there."""
    parent = elem.get("/P")
    if not isinstance(parent, Dictionary) or "/K" not in parent:
        return False
    kids = _kids(parent)
    kept = [k for k in kids if not _same_object(k, elem)]
    parent.K = Array(kept)
    return len(kept) < len(kids)


def _same_object(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    if a.is_indirect or b.is_indirect:
        return a.is_indirect and b.is_indirect and a.objgen == b.objgen
    return isinstance(a, Dictionary) and a == b


def _tag_untagged_links(pdf: pikepdf.Pdf, tree: Dictionary) -> int:
    tagged = content_items(tree).objects
    parts = _part_of_page(pdf, tree)
    pages = page_numbers(pdf)
    document = next((e for e in _kids(tree) if _is_element(e)), None)
    added = 0
    for page in pdf.pages:
        for annot in sorted(page.get("/Annots", []), key=_reading_position):
            if annot.get("/Subtype") != Name.Link or not annot.is_indirect or annot.objgen in tagged:
                continue
            parent = parts.get(page.obj.objgen, document)
            if parent is None:
                continue
            link = pdf.make_indirect(Dictionary(
                Type=Name.StructElem, S=Name.Link, P=parent, Pg=page.obj,
                Alt=String(link_description(annot, pages)),
                K=Array([Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj)])))
            parent.K = Array(_kids(parent) + [link])
            added += 1
    return added


def _reading_position(annot: Dictionary) -> tuple[float, float]:
    """Top to bottom, then left to right (by the annotation's upper left corner)."""
    try:
        x0, y0, x1, y1 = (float(v) for v in annot.Rect)
    except (AttributeError, TypeError, ValueError):
        return (0.0, 0.0)
    return (-max(y0, y1), min(x0, x1))


def _part_of_page(pdf: pikepdf.Pdf, tree: Dictionary) -> dict[tuple[int, int], Dictionary]:
    """The first /Part whose content is on each page."""
    parts: dict[tuple[int, int], Dictionary] = {}
    document = next((e for e in _kids(tree) if _is_element(e)), None)
    for part in (_kids(document) if document is not None else []):
        if not _is_element(part):
            continue
        for owner in content_items(Dictionary(K=Array([part]))).marked:
            parts.setdefault(owner, part)
    return parts


def make_links_accessible(pdf: pikepdf.Pdf) -> None:
    """What PDF/UA asks of link annotations: printed and never hidden, described (/Contents: what it is or
    where it goes), on pages whose tab order follows the structure (/Tabs /S)."""
    pages = page_numbers(pdf)
    for page in pdf.pages:
        annots = page.get("/Annots", [])
        if len(annots):
            page.obj.Tabs = Name.S
        for annot in annots:
            if annot.get("/Subtype") != Name.Link:
                continue
            annot.F = (int(annot.get("/F", 0)) | PRINT_FLAG) & ~HIDING_FLAGS
            if not str(annot.get("/Contents", "")).strip():
                annot.Contents = String(link_description(annot, pages))


def page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Page object -> its 1-based page number."""
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}


def link_description(annot: Dictionary, pages: dict[tuple[int, int], int]) -> str:
    """The link's own /Contents, else its web address, else the page it goes to."""
    contents = annot.get("/Contents")
    if contents is not None and str(contents).strip():
        return str(contents)
    action = annot.get("/A")
    if isinstance(action, Dictionary) and "/URI" in action:
        return f"Länk till {action.URI}"
    target = annot.get("/Dest") if action is None else action.get("/D")
    if isinstance(target, Array) and len(target) and isinstance(target[0], Dictionary):
        if target[0].objgen in pages:
            return f"Gå till sidan {pages[target[0].objgen]}"
    if target is not None:
        return "Länk inom dokumentet"
    return "Länk"


# ------------------------------------------------------------------ notes


def identify_notes(pdf: pikepdf.Pdf) -> None:
    """Give every Note element an /ID, unique in the document and listed in the IDTree, as PDF/UA-1 asks
    (7.9: footnotes and endnotes); LibreOffice 7.4 writes none."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    role_map = _dict(tree, "/RoleMap")
    notes = [e for e in structure_elements(tree) if e.is_indirect  # (an IDTree can only point to those)
             and resolve_role(e.S, role_map) == Name.Note and not str(e.get("/ID", "")).strip()]
    if not notes:
        return
    id_tree = NameTree(tree.IDTree) if "/IDTree" in tree else NameTree.new(pdf)
    taken = {str(key) for key in id_tree.keys()}
    number = 0
    for note in notes:
        number += 1
        while f"fotnot-{number}" in taken:
            number += 1
        note.ID = String(f"fotnot-{number}")
        id_tree[f"fotnot-{number}"] = note
    tree.IDTree = id_tree.obj
