"""List labels as Lbl elements: L > LI > (Lbl, LBody), as PDF/UA and screen readers expect a list item.

LibreOffice 7.4 tags a Word list as L > LI > LBody > P and leaves the label ("•", "3.") in the paragraph,
as the first marked-content sequence of the item's first P (later versions tag it Lbl themselves). A
screen reader then reads the label as the first word of the text. ``label_list_items`` moves that
sequence into an Lbl element of its own, the LI's first kid, and leaves the rest of the paragraph in
LBody. It touches only what it recognises: an LI with no Lbl, whose LBody starts with an element whose
first content is a marked-content sequence on a page, and whose text is short and looks like a label (a
bullet, a dash, a number or letter with "." or ")"), with more in the item than the label (an empty item
keeps its label in its body: an LI needs an LBody). Anything else stays as LibreOffice wrote it.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from .structure import rebuild_parent_tree, resolve_role, structure_elements

log = logging.getLogger(__name__)

# "•", "–", "▪", "1.", "12)", "(3)", "a.", "iv)", "2.1." ...; not a word or a number alone ("I", "2020")
LABEL = re.compile(r"[^\w\s]{1,2}|\(?(?:\d{1,4}(?:\.\d{1,4})*|[A-Za-z]|[ivxlcdmIVXLCDM]{1,6})[.):]\)?")


@dataclass
class _Candidate:
    item: Dictionary  # the LI
    body: Dictionary  # its LBody
    first: Dictionary  # LBody's first element (LibreOffice: a P), whose first content is the label
    page: pikepdf.Object
    mcid: int


def label_list_items(path: Path) -> int:
    """Give every list item of the PDF at ``path`` its Lbl, in place; returns how many were given one.

    A PDF this cannot read or change is left as it is: the labels are then read as part of the text.
    """
    try:
        return _label_list_items(path)
    except Exception as exc:  # pikepdf raises many kinds on odd files; the PDF is usable as it is
        log.debug("%s: list labels left in the text: %s", path.name, exc)
        return 0


def _label_list_items(path: Path) -> int:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if not isinstance(tree, Dictionary):
            return 0
        candidates = _candidates(tree)
        if not candidates:
            return 0
        wanted: dict[tuple[int, int], set[int]] = {}
        for candidate in candidates:
            wanted.setdefault(candidate.page.objgen, set()).add(candidate.mcid)
        texts = _texts(pdf, wanted)
        labelled = [c for c in candidates if LABEL.fullmatch(texts.get((c.page.objgen, c.mcid), "").strip())]
        for candidate in labelled:
            _move_label(pdf, candidate)
        if labelled:
            rebuild_parent_tree(pdf)
            pdf.save(path)
        log.debug("%s: %d of %d list items given a Lbl", path.name, len(labelled), len(candidates))
        return len(labelled)


def _candidates(tree: Dictionary) -> list[_Candidate]:
    role_map = tree.get("/RoleMap", Dictionary())
    role = lambda elem: resolve_role(elem.S, role_map)  # noqa: E731
    found = []
    for item in structure_elements(tree):
        if role(item) != Name.LI:
            continue
        elements = [k for k in _kids(item) if _is_element(k)]
        if not elements or role(elements[0]) != Name.LBody or any(role(e) == Name.Lbl for e in elements):
            continue
        body = elements[0]
        first = _kids(body)[0] if _kids(body) else None
        if first is None or not _is_element(first) or not first.is_indirect or not _kids(first):
            continue
        if len(_kids(first)) < 2 and len(_kids(body)) < 2:
            continue  # an empty item: the label is all there is, and an LI needs a body
        page, mcid = _marked_content(_kids(first)[0], _page_of(first, body, item))
        if page is not None:
            found.append(_Candidate(item, body, first, page, mcid))
    return found


def _page_of(*elements: Dictionary) -> pikepdf.Object | None:
    """The page the first of ``elements`` (innermost first) that names one says its content is on."""
    for elem in elements:
        if "/Pg" in elem:
            return elem.Pg
    parent = elements[-1].get("/P")
    while isinstance(parent, Dictionary):
        if "/Pg" in parent:
            return parent.Pg
        parent = parent.get("/P")
    return None


def _marked_content(content, page) -> tuple[pikepdf.Object | None, int]:
    """(page, MCID) of a kid that is marked content on a page (not in a form XObject), else (None, 0)."""
    if isinstance(content, int):
        return (page, int(content)) if page is not None else (None, 0)
    if isinstance(content, Dictionary) and content.get("/Type") == Name.MCR and "/Stm" not in content:
        page = content.get("/Pg", page)
        if page is not None and "/MCID" in content:
            return page, int(content.MCID)
    return None, 0


def _texts(pdf: pikepdf.Pdf, wanted: dict[tuple[int, int], set[int]]) -> dict[tuple[tuple[int, int], int], str]:
    """The text of the ``wanted`` marked-content sequences: (page objgen, MCID) -> text. Read with qpdf's
    content parser and each font's ToUnicode map, as extracting all of a page's text would take ten times as long."""
    texts: dict[tuple[tuple[int, int], int], str] = {}
    for page in pdf.pages:
        mcids = wanted.get(page.obj.objgen)
        if mcids:
            for mcid, text in _marked_texts(page, mcids).items():
                texts[(page.obj.objgen, mcid)] = text
    return texts


def _marked_texts(page: pikepdf.Page, wanted: set[int]) -> dict[int, str]:
    resources = page.obj.get("/Resources", Dictionary())
    fonts = resources.get("/Font", Dictionary())
    properties = resources.get("/Properties", Dictionary())
    texts: dict[int, str] = {}
    stack: list[int | None] = []
    font = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BDC":
            stack.append(_mcid(operands[1], properties))
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]))
        elif op in _SHOW:
            owner = next((m for m in reversed(stack) if m is not None), None)
            if owner in wanted:
                texts[owner] = texts.get(owner, "") + _decode(font, _SHOW[op](operands))
    return texts


_SHOW = {  # text-showing operators -> the strings they show
    "Tj": lambda operands: [operands[0]],
    "'": lambda operands: [operands[0]],
    '"': lambda operands: [operands[2]],
    "TJ": lambda operands: [x for x in operands[0] if isinstance(x, pikepdf.String)],
}


def _mcid(props, properties: Dictionary) -> int | None:
    if isinstance(props, Name):
        props = properties.get(str(props))
    mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
    return int(mcid) if mcid is not None else None


def _decode(font, strings: list) -> str:
    data = b"".join(bytes(s) for s in strings)
    if not isinstance(font, Dictionary):
        return ""
    if "/ToUnicode" not in font:  # a simple font without a map: near enough for a label
        return data.decode("cp1252", "replace") if font.get("/Subtype") != Name.Type0 else ""
    width, table = _unicode_map(font.ToUnicode.read_bytes())
    codes = (data[i:i + width] for i in range(0, len(data), width))
    return "".join(table.get(code, "") for code in codes)


_HEX = rb"<([0-9A-Fa-f]*)>"
_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_CHAR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[([^\]]*)\])")
_CODESPACE = re.compile(rb"begincodespacerange\s*" + _HEX)


@functools.lru_cache(maxsize=256)
def _unicode_map(cmap: bytes) -> tuple[int, dict[bytes, str]]:
    """A ToUnicode CMap read: (bytes per code, code -> text)."""
    space = _CODESPACE.search(cmap)
    width = max(len(space.group(1)) // 2, 1) if space else 1
    table: dict[bytes, str] = {}
    for kind, body in _SECTION.findall(cmap):
        if kind == b"bfchar":
            for code, text in _CHAR.findall(body):
                table[bytes.fromhex(code.decode())] = _utf16(text)
            continue
        for low, high, first, listed in _RANGE.findall(body):
            lo, hi = int(low, 16), int(high, 16)
            targets = re.findall(_HEX, listed) if listed else None
            for offset, code in enumerate(range(lo, min(hi, lo + 0xFFFF) + 1)):
                key = code.to_bytes(len(low) // 2, "big")
                if targets is not None:
                    if offset < len(targets):
                        table[key] = _utf16(targets[offset])
                else:
                    base = bytes.fromhex(first.decode())
                    table[key] = _utf16((int.from_bytes(base, "big") + offset).to_bytes(len(base), "big").hex().encode())
    return width, table


def _utf16(hexed: bytes) -> str:
    return bytes.fromhex(hexed.decode()).decode("utf-16-be", "replace")


def _move_label(pdf: pikepdf.Pdf, candidate: _Candidate) -> None:
    """The first content of ``first`` becomes the LI's new first kid, an Lbl; a P left empty goes (the LBody
    keeps what follows it: ``_candidates`` leaves out items with nothing but the label)."""
    first, item = candidate.first, candidate.item
    kids = _kids(first)
    label = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Lbl, P=item, Pg=candidate.page,
                                         K=Array([kids[0]])))
    first.K = Array(kids[1:])
    item.K = Array([label, *_kids(item)])
    if not _kids(first):
        _drop_kid(candidate.body, first)


def _kids(node: Dictionary) -> list:
    kids = node.get("/K")
    return [] if kids is None else list(kids) if isinstance(kids, Array) else [kids]


def _is_element(node) -> bool:
    return isinstance(node, Dictionary) and "/S" in node and node.get("/Type") not in (Name.MCR, Name.OBJR)


def _drop_kid(parent: Dictionary, kid: Dictionary) -> None:
    parent.K = Array([k for k in _kids(parent) if not (k.is_indirect and k.objgen == kid.objgen)])
