"""python-docx helpers for the Markdown renderer: the XML python-docx has no API for.

A style index (python-docx looks style names up slowly), bookmarks and
internal links, the footnotes part, section breaks for landscape pages,
fixed table widths and cell margins, and picture sizing.
"""

from __future__ import annotations

import copy
import re
from typing import Optional

from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.parts.story import StoryPart
from docx.shared import Emu
from docx.styles import BabelFish
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

NORMAL_STYLE = "Normal"

# python-docx loads parts it does not know as opaque blobs; footnotes are
# loaded as story parts so that more footnotes can be added to a template
# that already has some.
PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, StoryPart)

_BOOKMARK_IDS = etree.XPath("//w:bookmarkStart/@w:id", namespaces={"w": nsmap["w"]})
_FOOTNOTE_IDS = etree.XPath("./w:footnote/@w:id", namespaces={"w": nsmap["w"]})

# Elements that must follow w:tblCellMar inside w:tblPr.
_TBLCELLMAR_SUCCESSORS = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")

# The footnotes part Word expects: the separator lines come first.
_EMPTY_FOOTNOTES = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


# ----------------------------------------------------------------- links


def unwrap_link(element) -> None:
    """Replace a w:hyperlink by its runs, as plain text (no link style)."""
    parent = element.getparent()
    if parent is None:
        return
    for run in list(element):
        rPr = run.find(qn("w:rPr"))
        style = rPr.find(qn("w:rStyle")) if rPr is not None else None
        if style is not None:
            rPr.remove(style)
        element.addprevious(run)
    parent.remove(element)


def add_bookmarks(paragraph: Paragraph, names: list[str]) -> None:
    """Bookmarks ``names`` around the whole of ``paragraph`` (ids unique in the document)."""
    p = paragraph._p
    root = p.getroottree().getroot()
    used = [int(v) for v in _BOOKMARK_IDS(root) if v.lstrip("-").isdigit()]
    next_id = max(used, default=0) + 1
    for offset, name in enumerate(names):
        ident = str(next_id + offset)
        start = OxmlElement("w:bookmarkStart", attrs={qn("w:id"): ident, qn("w:name"): name})
        p.insert(1 if p.pPr is not None else 0, start)
        p.append(OxmlElement("w:bookmarkEnd", attrs={qn("w:id"): ident}))


# ---------------------------------------------------------------- styles


class StoryParent:
    """A stand-in parent for paragraphs in a footnote: gives them their part."""

    def __init__(self, part) -> None:
        self.part = part


class StyleIndex:
    """The document's styles by name, read once.

    python-docx looks a style name up by reading every style, which made
    rendering slow; this index is built in one pass and kept up to date
    when a style is added.
    """

    def __init__(self, document) -> None:
        self._styles = document.styles
        self._index: dict[str, tuple[WD_STYLE_TYPE, str, bool]] = {}
        for element in self._styles.element.iterchildren(qn("w:style")):
            self._remember(element)

    def _remember(self, element) -> None:
        name = element.find(qn("w:name"))
        if name is None or not name.get(qn("w:val")):
            return
        try:
            style_type = WD_STYLE_TYPE.from_xml(element.get(qn("w:type")) or "paragraph")
        except ValueError:  # a style type python-docx does not know: not one we use
            return
        default = element.get(qn("w:default")) in ("1", "true", "on")
        self._index.setdefault(BabelFish.internal2ui(name.get(qn("w:val"))),
                               (style_type, element.get(qn("w:styleId")), default))

    def exists(self, name: str) -> bool:
        return name in self._index

    def has(self, name: str, style_type: WD_STYLE_TYPE) -> bool:
        return name in self._index and self._index[name][0] == style_type

    def raw_id(self, name: str) -> str:
        return self._index[name][1]

    def style_id(self, name: str, style_type: WD_STYLE_TYPE) -> Optional[str]:
        """The id to write: None for a missing style or the default of its
        type (python-docx writes no w:pStyle for the default style)."""
        if not self.has(name, style_type):
            return None
        _, style_id, is_default = self._index[name]
        return None if is_default else style_id

    def add(self, name: str, style_type: WD_STYLE_TYPE):
        style = self._styles.add_style(name, style_type)
        self._remember(style.element)
        return style

    def base_on_normal(self, style, *, next_style: bool = True) -> None:
        if self.has(NORMAL_STYLE, WD_STYLE_TYPE.PARAGRAPH):
            normal = self._styles[NORMAL_STYLE]
            style.base_style = normal
            if next_style:
                style.next_paragraph_style = normal


# ---------------------------------------------------------- tables, pages


def set_table_widths(table: Table, widths: tuple[int, ...]) -> None:
    """Fixed column widths (EMU), also written as the table's width."""
    tbl = table._tbl
    tblW = tbl.tblPr.find(qn("w:tblW"))
    if tblW is None:
        tblW = OxmlElement("w:tblW")
        tbl.tblPr.append(tblW)
    tblW.set(qn("w:type"), "dxa")
    tblW.set(qn("w:w"), str(Emu(sum(widths)).twips))
    table.autofit = False
    for grid_col, twips in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), _twips(widths)):
        grid_col.set(qn("w:w"), str(twips))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Emu(width)


def _twips(widths: tuple[int, ...]) -> list[int]:
    """Widths in twips, rounded so that they add up to the rounded total."""
    edges = [0]
    for width in widths:
        edges.append(edges[-1] + width)
    rounded = [round(Emu(edge).twips) for edge in edges]
    return [b - a for a, b in zip(rounded, rounded[1:])]


def set_cell_margins(tbl, margin: int) -> None:
    tblPr = tbl.tblPr
    old = tblPr.find(qn("w:tblCellMar"))
    if old is not None:
        tblPr.remove(old)
    mar = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        mar.append(OxmlElement(side, attrs={qn("w:w"): str(Emu(margin).twips), qn("w:type"): "dxa"}))
    tblPr.insert_element_before(mar, *_TBLCELLMAR_SUCCESSORS)


def drop_first_page_settings(sectPr) -> None:
    """A section that continues the page flow has no own first page and
    does not restart the page numbers."""
    for tag in ("w:titlePg",):
        for element in sectPr.findall(qn(tag)):
            sectPr.remove(element)
    numbering = sectPr.find(qn("w:pgNumType"))
    if numbering is not None and numbering.get(qn("w:start")) is not None:
        del numbering.attrib[qn("w:start")]


def fit(size: tuple[int, int], max_width: int, max_height: int) -> tuple[int, int]:
    width, height = max(size[0], 1), max(size[1], 1)
    scale = min(1.0, max_width / width, max_height / height)
    return max(int(width * scale), 1), max(int(height * scale), 1)


def footnotes_part(document_part) -> StoryPart:
    """The document's footnotes part, created on first use."""
    for rel in document_part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external and isinstance(rel.target_part, StoryPart):
            return rel.target_part
    package = document_part.package
    partname = package.next_partname("/word/footnotes%d.xml") if _has_part(package, "/word/footnotes.xml") \
        else PackURI("/word/footnotes.xml")
    part = StoryPart(partname, CT.WML_FOOTNOTES, parse_xml(_EMPTY_FOOTNOTES), package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def _has_part(package, name: str) -> bool:
    return any(str(part.partname) == name for part in package.iter_parts())


def add_footnote_mark(footnote, style_id: str, text_style_id: Optional[str]) -> None:
    """Start the footnote with its number mark and a space."""
    first = next((c for c in footnote if c.tag == qn("w:p")), None)
    if first is None or footnote.index(first) != 0:
        first = OxmlElement("w:p")
        footnote.insert(0, first)
        if text_style_id is not None:
            first.get_or_add_pPr().append(OxmlElement("w:pStyle", attrs={qn("w:val"): text_style_id}))
    mark = OxmlElement("w:r")
    rPr = OxmlElement("w:rPr")
    rPr.append(OxmlElement("w:rStyle", attrs={qn("w:val"): style_id}))
    mark.append(rPr)
    mark.append(OxmlElement("w:footnoteRef"))
    space = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = " "
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    space.append(text)
    position = 1 if first.find(qn("w:pPr")) is not None else 0
    first.insert(position, mark)
    first.insert(position + 1, space)


def next_footnote_id(part: StoryPart) -> int:
    used = [int(v) for v in _FOOTNOTE_IDS(part.element) if v.lstrip("-").isdigit()]
    return max([0, *used]) + 1


def next_shape_id(document_part) -> int:
    """A drawing id unique in the whole document (body and footnotes)."""
    parts = [document_part] + [rel.target_part for rel in document_part.rels.values()
                               if rel.reltype == RT.FOOTNOTES and not rel.is_external]
    return max(part.next_id for part in parts if isinstance(part, StoryPart))


def landscape_copy(sectPr):
    """A copy of ``sectPr`` turned to landscape, continuing the page flow."""
    landscape = copy.deepcopy(sectPr)
    drop_first_page_settings(landscape)
    page = landscape.find(qn("w:pgSz"))
    width, height = page.get(qn("w:w")), page.get(qn("w:h"))
    page.set(qn("w:w"), height)
    page.set(qn("w:h"), width)
    page.set(qn("w:orient"), "landscape")
    return landscape


# --------------------------------------------------------- outline levels

BODY_TEXT = 0  # the outline level of a paragraph that is no heading
_OUTLINE_SUCCESSORS = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_HEADING_NAME = re.compile(r"Heading (\d)")


def set_outline_level(paragraph: Paragraph, level: int) -> None:
    """The paragraph's own outline level: 1-9 a heading of that level (H1-H6 in a tagged PDF), 0 body text.

    LibreOffice tags a paragraph by its outline level, whatever its style looks like: a heading can keep the
    size of one level and be read as another.
    """
    pPr = paragraph._p.get_or_add_pPr()
    old = pPr.find(qn("w:outlineLvl"))
    if old is not None:
        pPr.remove(old)
    value = str(level - 1) if level else "9"
    pPr.insert_element_before(OxmlElement("w:outlineLvl", attrs={qn("w:val"): value}), *_OUTLINE_SUCCESSORS)


def nest_headings(document, below: int = 1) -> None:
    """Every body paragraph in a style 'Heading N' without an outline level of its own becomes a heading of
    level N + ``below``: the document's generated headings nest under its title (the one H1)."""
    levels = _heading_style_levels(document)
    for p in document.element.body.iter(qn("w:p")):
        pPr = p.pPr
        style = pPr.find(qn("w:pStyle")) if pPr is not None else None
        if style is None or pPr.find(qn("w:outlineLvl")) is not None:
            continue
        level = levels.get(style.get(qn("w:val")))
        if level is not None:
            set_outline_level(Paragraph(p, None), min(level + below, 9))


def _heading_style_levels(document) -> dict[str, int]:
    """Style id -> N of the document's paragraph styles 'Heading N' (whatever the ids are called)."""
    levels = {}
    for element in document.styles.element.iterchildren(qn("w:style")):
        name = element.find(qn("w:name"))
        found = _HEADING_NAME.fullmatch(BabelFish.internal2ui(name.get(qn("w:val")))) if name is not None else None
        if found and element.get(qn("w:type")) == "paragraph":
            levels[element.get(qn("w:styleId"))] = int(found.group(1))
    return levels
