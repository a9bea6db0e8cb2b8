"""Render Markdown as native docx block content.

The Markdown is parsed into a small HTML tree (see :mod:`markdown_tree`)
and written as python-docx paragraphs, runs, hyperlinks, pictures, tables
and footnotes, inserted immediately before an anchor paragraph.

Public interface::

    insert_markdown(anchor, text, *, heading_shift=0, context=None)
    MarkdownContext.for_file(source, root_dir, texts)   # images, footnotes, #links
    bookmark_heading(paragraph, text, context)          # a heading written by the caller
    remove_paragraph(paragraph)
    check_markdown(text, base_dir, root_dir)            # load-time problems, see markdown_check

Nothing the secretary writes is dropped: images are embedded (with their
alt text as the picture's description), footnotes become Word footnotes,
``#links`` become internal links to headings (or stay as text), and wide
tables get a smaller font, a landscape page or are split into parts (see
:mod:`markdown_tables`). What cannot be rendered is reported at load time
by :func:`check_markdown`.

Lists are Word lists: each item's first paragraph is numbered from
definitions this module adds to the document (see :mod:`markdown_lists`),
so that the tagged PDF has L > LI where a drawn "•" was a plain paragraph.
Further paragraphs of an item follow in the item's paragraph after a line
break (they look the same, and the item stays one LI).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Optional, Union

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.section import Section
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .docx_support import (
    NORMAL_STYLE,
    StoryParent,
    StyleIndex,
    add_bookmarks,
    add_footnote_mark,
    drop_first_page_settings,
    fit,
    footnotes_part,
    landscape_copy,
    next_footnote_id,
    next_shape_id,
    set_cell_margins,
    set_table_widths,
    unwrap_link,
)
from .errors import display_path
from .markdown_check import MarkdownIssue, check_markdown
from .markdown_images import ImageProblem, resolve_image
from .markdown_lists import LIST_INDENT, ListLevel, WordList
from .markdown_tables import WIDE_MARGIN, TableLayout, column_widths, plan_table
from .markdown_tree import (
    FOOTNOTE_BACKREF_CLASS,
    FOOTNOTE_DIV_CLASS,
    HEADING_RE,
    Node,
    anchor_keys,
    bare_urls,
    convert,
    external_url,
    footnote_bodies,
    footnote_definitions,
    footnote_label,
    is_footnote_ref,
    link_keys,
    sanitize,
)

__all__ = [
    "MarkdownContext",
    "MarkdownIssue",
    "bookmark_heading",
    "check_markdown",
    "column_widths",
    "insert_markdown",
    "remove_paragraph",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

CODE_FONT = "Liberation Mono"
CODE_BLOCK_SIZE = Pt(9)
QUOTE_INDENT = Cm(1)
HYPERLINK_STYLE = "Hyperlink"
HYPERLINK_COLOR = RGBColor(0x05, 0x63, 0xC1)
TABLE_STYLE = "Table Grid"
FOOTNOTE_TEXT_STYLE = "footnote text"
FOOTNOTE_REFERENCE_STYLE = "footnote reference"
FOOTNOTE_SIZE = Pt(9)
CAPTION_SIZE = Pt(9)
MAX_HEADING_LEVEL = 4
DEFAULT_TEXT_WIDTH = Cm(16)
DEFAULT_TEXT_HEIGHT = Cm(24)
MAX_IMAGE_HEIGHT_SHARE = 0.7  # of the page's text height
MIN_PICTURE_WIDTH = int(Cm(0.5))
BOOKMARK_PREFIX = "_Md"

# Whitespace containing a newline (a soft line break in Markdown) becomes
# one space. Only ASCII whitespace: no-break and thin spaces are kept.
_SOFT_BREAK_RE = re.compile(r"[ \t\r]*\n[ \t\r\n]*")
_ASCII_WS = " \t\r\n"

_BLOCK_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
        "pre", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
        "div", "dl", "dt", "dd", "section", "article", "aside", "header",
        "footer", "nav", "figure", "figcaption", "details", "summary",
        "address", "main",
    }
)
_INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "img",
        "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "tt", "u", "var",
    }
)


_ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_TEXT_ALIGN_RE = re.compile(r"text-align\s*:\s*([a-zA-Z]+)")

# Elements that must follow w:pBdr inside w:pPr (schema order).
_PBDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)
# Elements that must follow w:tblHeader inside w:trPr.
_TBLHEADER_SUCCESSORS = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


_CANTSPLIT_SUCCESSORS = ("w:trHeight", "w:tblHeader") + _TBLHEADER_SUCCESSORS


def keep_table_together(table: Table) -> None:
    """A table that fits on one page is not split over two: no row breaks inside, and every row keeps
    with the next (Word's and LibreOffice's way to move the whole table to the next page). A table
    longer than a page still breaks, with its header row repeated (an artifact in the tagged PDF)."""
    rows = table.rows
    for index, row in enumerate(rows):
        trPr = row._tr.get_or_add_trPr()
        if trPr.find(qn("w:cantSplit")) is None:
            trPr.insert_element_before(OxmlElement("w:cantSplit"), *_CANTSPLIT_SUCCESSORS)
        if index == len(rows) - 1:
            continue
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


# --------------------------------------------------------------------------
# Context: what the Markdown of one source file needs beyond its text
# --------------------------------------------------------------------------


@dataclass
class MarkdownContext:
    """Where a Markdown text comes from, and the links between its pieces.

    One context serves all pieces of one source file rendered into one
    document: images are found relative to ``base_dir`` (and must lie
    inside ``root_dir``), a footnote may be defined in another piece, and a
    ``#link`` may point to a heading in another piece.
    :meth:`resolve_links` must be called once every piece is inserted.
    ``namespace`` keeps bookmarks apart when several files share a document.
    """

    source: Optional[Path] = None
    base_dir: Optional[Path] = None
    root_dir: Optional[Path] = None
    footnotes: dict[str, str] = field(default_factory=dict)
    namespace: str = ""
    _bookmarks: dict[str, str] = field(default_factory=dict, repr=False)
    _links: list[tuple[object, str]] = field(default_factory=list, repr=False)

    @classmethod
    def for_file(cls, source: Path, root_dir: Optional[Path], texts: Iterable[str],
                 namespace: str = "") -> "MarkdownContext":
        """The context of the file ``source`` whose pieces are ``texts``."""
        definitions = footnote_definitions("\n\n".join(texts))
        return cls(source, source.parent, root_dir, definitions, namespace)

    def where(self) -> str:
        return display_path(self.source) if self.source is not None else "Markdown-texten"

    def bookmark_name(self, key: str) -> str:
        digest = hashlib.sha1(f"{self.namespace}\0{key}".encode("utf-8")).hexdigest()[:12]
        return f"{BOOKMARK_PREFIX}{digest}"

    def claim(self, key: str) -> Optional[str]:
        """The bookmark name for ``key``, or None if a heading already has it."""
        if key in self._bookmarks:
            return None
        self._bookmarks[key] = self.bookmark_name(key)
        return self._bookmarks[key]

    def link(self, element, target: str) -> None:
        self._links.append((element, target))

    def resolve_links(self) -> None:
        """Point every ``#link`` at its heading; unknown targets become plain text."""
        for element, target in self._links:
            name = next((self._bookmarks[k] for k in link_keys(target) if k in self._bookmarks), None)
            if name is not None:
                element.set(qn("w:anchor"), name)
            else:
                log.debug("%s: link #%s has no heading; kept as text", self.where(), target)
                unwrap_link(element)
        self._links.clear()


def bookmark_heading(paragraph: Paragraph, text: str, context: MarkdownContext, *also: str) -> None:
    """Make ``paragraph`` (a heading written by the caller) a ``#link`` target,
    reachable by its ``text`` and by each of ``also``."""
    keys = [k for t in (text, *also) for k in anchor_keys(t)]
    add_bookmarks(paragraph, [n for n in (context.claim(k) for k in dict.fromkeys(keys)) if n])


# --------------------------------------------------------------------------
# Inline content
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fmt:
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: Optional[str] = None  # external link
    anchor: Optional[str] = None  # internal link: "#target" without "#"


@dataclass
class _Text:
    text: str
    fmt: _Fmt


@dataclass
class _Picture:
    src: str
    alt: str
    title: str
    fmt: _Fmt


@dataclass
class _NoteRef:
    label: str
    fmt: _Fmt


class _Break:
    pass


_InlineItem = Union[_Text, _Break, _Picture, _NoteRef]


def _link_format(node: Node, fmt: _Fmt) -> _Fmt:
    href = node.attrs.get("href", "").strip()
    if href.startswith("#") and len(href) > 1:
        return replace(fmt, href=None, anchor=href[1:])
    url = external_url(href)
    if url is None:
        log.debug("Link rendered as plain text: %r", href)
        return fmt
    return replace(fmt, href=url, anchor=None)


def _collect_inline(nodes: Iterable[Union[Node, str]], fmt: _Fmt, out: list[_InlineItem]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.extend(_text_items(node, fmt))
            continue
        tag = node.tag
        if tag == "br":
            out.append(_Break())
        elif tag in ("strong", "b"):
            _collect_inline(node.children, replace(fmt, bold=True), out)
        elif tag in ("em", "i", "cite", "var", "dfn"):
            _collect_inline(node.children, replace(fmt, italic=True), out)
        elif tag in ("code", "kbd", "samp", "tt"):
            _collect_inline(node.children, replace(fmt, code=True), out)
        elif tag == "a":
            _collect_link(node, fmt, out)
        elif tag == "img":
            attrs = node.attrs
            out.append(_Picture(attrs.get("src", ""), attrs.get("alt", "").strip(), attrs.get("title", ""), fmt))
        elif is_footnote_ref(node):
            out.append(_NoteRef(footnote_label(node) or "", fmt))
        else:
            # Unknown or block-level element in inline context: keep its text.
            if node.tag in _BLOCK_TAGS and _has_content(out):
                out.append(_Break())
            _collect_inline(node.children, fmt, out)


def _text_items(text: str, fmt: _Fmt) -> list[_Text]:
    """Text, where a bare web address ("https://…", "www.…") becomes a link; not inside a link or code."""
    if fmt.href is not None or fmt.anchor is not None or fmt.code:
        return [_Text(text, fmt)]
    return [_Text(piece, fmt if url is None else replace(fmt, href=url)) for piece, url in bare_urls(text)]


def _collect_link(node: Node, fmt: _Fmt, out: list[_InlineItem]) -> None:
    if node.has_class(FOOTNOTE_BACKREF_CLASS):
        return
    link_fmt = _link_format(node, fmt)
    start = len(out)
    _collect_inline(node.children, link_fmt, out)
    if not _has_content(out[start:]):
        # "[](https://...)": show the address rather than an invisible link.
        href = node.attrs.get("href", "").strip()
        if href:
            out.append(_Text(href, link_fmt))


def _has_content(items: list[_InlineItem]) -> bool:
    return any(not isinstance(i, _Text) or i.text.strip(_ASCII_WS) for i in items)


def _normalize_inline(items: list[_InlineItem]) -> list[_InlineItem]:
    """Turn soft line breaks into spaces and trim each line; merge runs."""
    lines: list[list[_InlineItem]] = [[]]
    for item in items:
        if isinstance(item, _Break):
            lines.append([])
        elif isinstance(item, _Text):
            text = _SOFT_BREAK_RE.sub(" ", item.text)
            if text:
                lines[-1].append(_Text(text, item.fmt))
        else:
            lines[-1].append(item)
    result: list[_InlineItem] = []
    for index, line in enumerate(lines):
        _trim_line(line)
        if index:
            result.append(_Break())
        for item in line:
            last = result[-1] if result else None
            if isinstance(item, _Text) and isinstance(last, _Text) and last.fmt == item.fmt:
                result[-1] = _Text(last.text + item.text, item.fmt)
            else:
                result.append(item)
    return result


def _trim_line(line: list[_InlineItem]) -> None:
    """Strip the ASCII whitespace at both ends of a line, in place."""
    for index, strip in ((0, str.lstrip), (-1, str.rstrip)):
        while line and isinstance(line[index], _Text):
            item = line[index]
            stripped = strip(item.text, _ASCII_WS)
            if stripped:
                line[index] = _Text(stripped, item.fmt)
                break
            line.pop(index)


# --------------------------------------------------------------------------
# Block context
# --------------------------------------------------------------------------


@dataclass(eq=False)
class _ListItemState:
    level: ListLevel
    numbered: bool = False  # its first paragraph (the one with the label) is written
    text: Optional[Paragraph] = None  # its last paragraph of text, where a further paragraph may go on


@dataclass(frozen=True)
class _Ctx:
    indent: int = 0  # EMU
    italic: bool = False
    list_depth: int = 0
    item: Optional[_ListItemState] = field(default=None, compare=False)


@dataclass(frozen=True)
class _Geometry:
    """The page of the section the content stands in (EMU)."""

    sectPr: object
    page_width: int
    page_height: int
    text_width: int
    text_height: int

    @property
    def landscape_width(self) -> int:
        return self.page_height - (self.page_width - self.text_width)


# --------------------------------------------------------------------------
# Renderer
# --------------------------------------------------------------------------


class _Renderer:
    def __init__(self, anchor: Paragraph, heading_shift: int, context: MarkdownContext,
                 bodies: dict[str, Node], *, in_footnote: bool = False, styles: Optional["StyleIndex"] = None) -> None:
        self.anchor = anchor
        self.parent = anchor._parent
        self.part = anchor.part
        self.heading_shift = heading_shift
        self.context = context
        self.bodies = bodies  # footnote label -> rendered definition
        self.in_footnote = in_footnote
        self.body_style = FOOTNOTE_TEXT_STYLE if in_footnote else NORMAL_STYLE
        self._document = None
        self._list_paragraphs: list[Paragraph] = []
        self._styles: Optional[StyleIndex] = styles

    # -- document helpers --------------------------------------------------

    @property
    def document(self):
        if self._document is None:
            part = self.part
            document = getattr(part, "document", None)
            if document is None:
                document = part.package.main_document_part.document
            self._document = document
        return self._document

    @property
    def styles(self) -> "StyleIndex":
        if self._styles is None:
            self._styles = StyleIndex(self.document)
        return self._styles

    def _has_style(self, name: str, style_type: WD_STYLE_TYPE) -> bool:
        return self.styles.has(name, style_type)

    def _style_id(self, name: str, style_type: WD_STYLE_TYPE) -> Optional[str]:
        return self.styles.style_id(name, style_type)

    def _ensure_heading_style(self, name: str, level: int) -> bool:
        styles = self.styles
        if styles.has(name, WD_STYLE_TYPE.PARAGRAPH):
            return True
        if styles.exists(name):  # exists with another type; do not touch it
            return False
        style = styles.add(name, WD_STYLE_TYPE.PARAGRAPH)
        styles.base_on_normal(style)
        style.font.bold = True
        style.font.size = Pt({1: 16, 2: 13, 3: 12}.get(level, 11))
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        return True

    def _ensure_hyperlink_style(self) -> bool:
        styles = self.styles
        if styles.has(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER):
            return True
        if styles.exists(HYPERLINK_STYLE):
            return False
        style = styles.add(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
        style.font.color.rgb = HYPERLINK_COLOR
        style.font.underline = WD_UNDERLINE.SINGLE
        style.unhide_when_used = True
        return True

    def _ensure_footnote_styles(self) -> tuple[str, Optional[str]]:
        """Create the footnote styles if the template lacks them; return the
        ids of the reference (character) style and the text (paragraph) style."""
        styles = self.styles
        if not styles.exists(FOOTNOTE_TEXT_STYLE):
            style = styles.add(FOOTNOTE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
            styles.base_on_normal(style, next_style=False)
            style.font.size = FOOTNOTE_SIZE
            style.paragraph_format.space_before = Pt(0)
            style.paragraph_format.space_after = Pt(0)
        if not styles.exists(FOOTNOTE_REFERENCE_STYLE):
            styles.add(FOOTNOTE_REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER).font.superscript = True
        return (styles.raw_id(FOOTNOTE_REFERENCE_STYLE),
                styles.style_id(FOOTNOTE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH))

    # -- page geometry -----------------------------------------------------

    def _in_body(self) -> bool:
        parent = self.anchor._p.getparent()
        return parent is not None and parent.tag == qn("w:body")

    def _governing_sectPr(self):
        """The w:sectPr of the section the anchor stands in."""
        if self._in_body():
            for sibling in self.anchor._p.itersiblings():
                pPr = sibling.find(qn("w:pPr")) if sibling.tag == qn("w:p") else None
                sectPr = pPr.find(qn("w:sectPr")) if pPr is not None else None
                if sectPr is not None:
                    return sectPr
        body = self.document.element.body
        return body.find(qn("w:sectPr"))

    def _geometry(self) -> _Geometry:
        sectPr = self._governing_sectPr()
        width, height = int(DEFAULT_TEXT_WIDTH), int(DEFAULT_TEXT_HEIGHT)
        page_width, page_height = width, height
        if sectPr is not None:
            section = Section(sectPr, self.document.part)
            try:
                page_width, page_height = int(section.page_width), int(section.page_height)
                width = page_width - int(section.left_margin) - int(section.right_margin)
                height = page_height - int(section.top_margin) - int(section.bottom_margin)
            except TypeError:  # a template without page size or margins
                page_width, page_height = width, height
        width = width if width > 0 else int(DEFAULT_TEXT_WIDTH)
        height = height if height > 0 else int(DEFAULT_TEXT_HEIGHT)
        return _Geometry(sectPr, page_width, page_height, width, height)

    def _text_width(self) -> int:
        container = self.anchor._p.getparent()
        if container is not None and container.tag == qn("w:tc"):
            tcPr = container.tcPr
            width = tcPr.width if tcPr is not None else None
            if width:
                return int(width)
        return self._geometry().text_width

    def _can_rotate(self, geometry: _Geometry) -> bool:
        """Whether the content may get a landscape section of its own."""
        if self.in_footnote or not self._in_body() or geometry.sectPr is None:
            return False
        page = geometry.sectPr.find(qn("w:pgSz"))
        sized = page is not None and page.get(qn("w:w")) and page.get(qn("w:h"))
        return bool(sized) and geometry.page_width < geometry.page_height

    # -- element creation --------------------------------------------------

    def _insert(self, element) -> None:
        self.anchor._p.addprevious(element)

    def _new_paragraph(self, ctx: _Ctx, style: Optional[str] = None) -> Paragraph:
        style = style or self.body_style
        p = OxmlElement("w:p")
        self._insert(p)
        paragraph = Paragraph(p, self.parent)
        style_id = self._style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        if style_id is not None:
            p.style = style_id
        fmt = paragraph.paragraph_format
        if ctx.list_depth:
            fmt.space_after = Pt(0)
            self._list_paragraphs.append(paragraph)
        if ctx.indent:
            fmt.left_indent = Emu(ctx.indent)
        item = ctx.item
        if item is not None and not item.numbered:
            item.numbered = True
            item.level.number(p)
            fmt.first_line_indent = -LIST_INDENT
            fmt.tab_stops.add_tab_stop(Emu(ctx.indent), WD_TAB_ALIGNMENT.LEFT)
            if ctx.italic:
                _italic_label(p)
        return paragraph

    def _text_paragraph(self, ctx: _Ctx, items: list[_InlineItem]) -> None:
        """A paragraph of text; a list item's further paragraph goes on in the item's paragraph after a
        line break (as long as nothing stands between them), so that the item stays one list item."""
        item = ctx.item
        if item is not None and item.text is not None and self.anchor._p.getprevious() is item.text._p:
            paragraph, items = item.text, [_Break(), *items]
        else:
            paragraph = self._new_paragraph(ctx)
        if item is not None:
            item.text = paragraph
        self._emit_inline(paragraph, items, italic=ctx.italic, indent=ctx.indent)

    def _flush_marker(self, ctx: _Ctx) -> None:
        """Number an empty paragraph if the list item has no paragraph yet (its content is a table, a
        quote, a list, ... or nothing)."""
        if ctx.item is not None and not ctx.item.numbered:
            self._new_paragraph(ctx)

    def _add_run(self, paragraph: Paragraph, container, text: str, fmt: _Fmt, *,
                 italic: bool = False, size: Optional[Length] = None) -> Run:
        r = OxmlElement("w:r")
        container.append(r)
        run = Run(r, paragraph)
        if (fmt.href is not None or fmt.anchor is not None) and self._ensure_hyperlink_style():
            r.style = self._style_id(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
        if fmt.bold:
            run.bold = True
        if fmt.italic or italic:
            run.italic = True
        if fmt.code:
            self._set_code_font(run)
        if size is not None:
            run.font.size = size
        if text:
            run.text = sanitize(text)
        return run

    @staticmethod
    def _set_code_font(run: Run) -> None:
        run.font.name = CODE_FONT
        rFonts = run._r.get_or_add_rPr().get_or_add_rFonts()
        rFonts.set(qn("w:cs"), CODE_FONT)
        rFonts.set(qn("w:eastAsia"), CODE_FONT)

    def _emit_inline(self, paragraph: Paragraph, items: list[_InlineItem], *, italic: bool = False,
                     size: Optional[Length] = None, indent: int = 0, room: Optional[int] = None) -> None:
        """Write ``items`` into ``paragraph``. Pictures get at most ``room``
        (EMU), by default the text width less the paragraph's ``indent``."""
        p = paragraph._p
        link_elm = None
        link_key: Optional[tuple] = None
        for item in items:
            if isinstance(item, _Break):
                link_elm, link_key = None, None
                r = OxmlElement("w:r")
                r.append(OxmlElement("w:br"))
                p.append(r)
                continue
            fmt = item.fmt
            key = (fmt.href, fmt.anchor) if fmt.href is not None or fmt.anchor is not None else None
            if key is None:
                link_elm, link_key = None, None
                container = p
            else:
                if link_elm is None or key != link_key:
                    link_elm, link_key = self._new_link(p, fmt), key
                container = link_elm
            if isinstance(item, _Picture):
                self._add_picture(paragraph, container, item, room if room is not None else self._room(indent))
            else:
                self._emit_item(paragraph, container, item, italic=italic, size=size)

    def _new_link(self, p, fmt: _Fmt):
        if fmt.href is not None:
            r_id = self.part.relate_to(fmt.href, RT.HYPERLINK, is_external=True)
            link = OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id, qn("w:history"): "1"})
        else:
            name = self.context.bookmark_name(fmt.anchor)  # a placeholder until resolve_links()
            link = OxmlElement("w:hyperlink", attrs={qn("w:anchor"): name, qn("w:history"): "1"})
            self.context.link(link, fmt.anchor)
        p.append(link)
        return link

    def _emit_item(self, paragraph: Paragraph, container, item: _InlineItem, *, italic: bool,
                   size: Optional[Length]) -> None:
        if isinstance(item, _Text):
            self._add_run(paragraph, container, item.text, item.fmt, italic=italic, size=size)
        elif isinstance(item, _NoteRef):
            self._add_note_ref(paragraph, container, item, italic=italic, size=size)

    # -- pictures ----------------------------------------------------------

    def _add_picture(self, paragraph: Paragraph, container, item: _Picture, room: int) -> None:
        context = self.context
        try:
            image = resolve_image(item.src, context.base_dir, context.root_dir)
            r_id, _ = self.part.get_or_add_image(str(image.path))
        except (ImageProblem, OSError, ValueError) as exc:
            log.warning("%s: %s Bilden ersätts med sin beskrivning i texten.", context.where(), exc)
            text = f"[Bild: {item.alt}]" if item.alt else "[Bild]"
            self._add_run(paragraph, container, text, item.fmt)
            return
        width, height = fit(image.natural_size(), room, self._picture_height())
        shape_id = next_shape_id(self.document.part)
        inline = CT_Inline.new_pic_inline(shape_id, r_id, image.path.name, Emu(width), Emu(height))
        for props in (inline.docPr, inline.find(".//" + qn("pic:cNvPr"))):
            if props is not None:
                props.set("descr", sanitize(item.alt))
                if item.title:
                    props.set("title", sanitize(item.title))
        run = self._add_run(paragraph, container, "", replace(item.fmt, bold=False, italic=False, code=False))
        run._r.add_drawing(inline)

    def _room(self, indent: int) -> int:
        return max(self._text_width() - indent, MIN_PICTURE_WIDTH)

    def _picture_height(self) -> int:
        return int(self._geometry().text_height * MAX_IMAGE_HEIGHT_SHARE)

    # -- footnotes ---------------------------------------------------------

    def _add_note_ref(self, paragraph: Paragraph, container, item: _NoteRef, *, italic: bool,
                      size: Optional[Length]) -> None:
        body = self.bodies.get(item.label)
        if self.in_footnote or body is None:
            # Word has no footnotes inside footnotes: keep the mark as typed.
            self._add_run(paragraph, container, f"[^{item.label}]", item.fmt, italic=italic, size=size)
            return
        style_id, text_style_id = self._ensure_footnote_styles()
        note_id = self._write_footnote(body, style_id, text_style_id)
        run = self._add_run(paragraph, container, "", replace(item.fmt, href=None, anchor=None),
                            italic=italic, size=size)
        rPr = run._r.get_or_add_rPr()
        rPr.insert(0, OxmlElement("w:rStyle", attrs={qn("w:val"): style_id}))
        run._r.append(OxmlElement("w:footnoteReference", attrs={qn("w:id"): str(note_id)}))

    def _write_footnote(self, body: Node, style_id: str, text_style_id: Optional[str]) -> int:
        part = footnotes_part(self.document.part)
        note_id = next_footnote_id(part)
        footnote = OxmlElement("w:footnote", attrs={qn("w:id"): str(note_id)})
        part.element.append(footnote)
        anchor_p = OxmlElement("w:p")
        footnote.append(anchor_p)
        anchor = Paragraph(anchor_p, StoryParent(part))
        renderer = _Renderer(anchor, self.heading_shift, self.context, self.bodies, in_footnote=True,
                             styles=self.styles)
        renderer.render_blocks(_without_backrefs(body).children, _Ctx())
        remove_paragraph(anchor)
        add_footnote_mark(footnote, style_id, text_style_id)
        return note_id

    # -- blocks ------------------------------------------------------------

    @staticmethod
    def _is_block(node: Union[Node, str]) -> bool:
        if isinstance(node, str):
            return False
        if node.tag in _BLOCK_TAGS or HEADING_RE.match(node.tag):
            return True
        if node.tag in _INLINE_TAGS:
            return False
        return any(_Renderer._is_block(c) for c in node.children)

    def _inline_items(self, nodes: Iterable[Union[Node, str]], fmt: _Fmt = _Fmt()) -> list[_InlineItem]:
        raw: list[_InlineItem] = []
        _collect_inline(nodes, fmt, raw)
        return _normalize_inline(raw)

    def render_blocks(self, nodes: Iterable[Union[Node, str]], ctx: _Ctx) -> None:
        pending: list[Union[Node, str]] = []

        def flush() -> None:
            if pending:
                items = self._inline_items(pending)
                if items:
                    self._text_paragraph(ctx, items)
                pending.clear()

        for node in nodes:
            if self._is_block(node):
                flush()
                self._render_block(node, ctx)  # type: ignore[arg-type]
            else:
                pending.append(node)
        flush()

    def _render_block(self, node: Node, ctx: _Ctx) -> None:
        tag = node.tag
        heading = HEADING_RE.match(tag)
        if tag == "p":
            self._text_paragraph(ctx, self._inline_items(node.children))
        elif heading:
            self._render_heading(node, int(heading.group(1)), ctx)
        elif tag in ("ul", "ol"):
            self._flush_marker(ctx)
            self._render_list(node, ctx)
        elif tag == "li":
            # A list item outside a list: treat it as a bullet item.
            self._flush_marker(ctx)
            self._render_list(_wrap("ul", node), ctx)
        elif tag == "blockquote":
            self._flush_marker(ctx)
            inner = _Ctx(indent=ctx.indent + int(QUOTE_INDENT), italic=True, list_depth=ctx.list_depth)
            self.render_blocks(node.children, inner)
        elif tag == "pre":
            self._flush_marker(ctx)
            self._render_code_block(node, ctx)
        elif tag == "hr":
            self._flush_marker(ctx)
            self._render_rule(ctx)
        elif tag == "table":
            self._flush_marker(ctx)
            self._render_table(node)
        elif tag == "div" and node.has_class(FOOTNOTE_DIV_CLASS):
            pass  # footnote definitions: written as footnotes where they are referenced
        else:
            # div and unknown containers: render their content.
            self.render_blocks(node.children, ctx)

    def _render_heading(self, node: Node, level: int, ctx: _Ctx) -> None:
        mapped = min(max(level - self.heading_shift, 1), MAX_HEADING_LEVEL)
        style = f"Heading {mapped}"
        items = self._inline_items(node.children)
        if self._ensure_heading_style(style, mapped):
            paragraph = self._new_paragraph(ctx, style)
        else:
            paragraph = self._new_paragraph(ctx)
            items = [
                _Text(i.text, replace(i.fmt, bold=True)) if isinstance(i, _Text) else i
                for i in items
            ]
        self._emit_inline(paragraph, items, italic=ctx.italic, indent=ctx.indent)
        if not self.in_footnote:
            keys = anchor_keys(node.text_content().strip(), node.attrs.get("id", ""))
            add_bookmarks(paragraph, [n for n in (self.context.claim(k) for k in keys) if n])

    def _render_list(self, node: Node, ctx: _Ctx) -> None:
        depth = ctx.list_depth + 1
        level = self._list_level(node, ctx, depth)
        top_level = ctx.list_depth == 0
        if top_level:
            self._list_paragraphs = []
        for child in node.children:
            if isinstance(child, str):
                if child.strip(_ASCII_WS):
                    child = _wrap("li", child)
                else:
                    continue
            elif child.tag != "li":
                child = _wrap("li", child)
            item = _ListItemState(level)
            item_ctx = _Ctx(
                indent=ctx.indent + int(LIST_INDENT),
                italic=ctx.italic,
                list_depth=depth,
                item=item,
            )
            self.render_blocks(child.children, item_ctx)
            self._flush_marker(item_ctx)  # empty list item
        if top_level and self._list_paragraphs:
            # Normal spacing after the last paragraph of the whole list.
            last = self._list_paragraphs[-1]
            last.paragraph_format.space_after = None
            spacing = last._p.pPr.spacing if last._p.pPr is not None else None
            if spacing is not None and not spacing.attrib:
                last._p.pPr.remove(spacing)
            self._list_paragraphs = []

    def _list_level(self, node: Node, ctx: _Ctx, depth: int) -> ListLevel:
        """The numbering level of the list ``node``: a sublist is a level of its item's list if it can be."""
        ordered = node.tag == "ol"
        start = max(_parse_int(node.attrs.get("start"), 1), 0) if ordered else 1
        parent = ctx.item
        level = parent.level.sublist(depth, ordered, start, parent) if parent is not None else None
        return level or WordList.new(self.document.part, depth).level(depth, ordered, start)

    def _render_code_block(self, node: Node, ctx: _Ctx) -> None:
        code = node.text_content()
        if code.endswith("\n"):
            code = code[:-1]
        paragraph = self._new_paragraph(_Ctx(indent=ctx.indent, list_depth=ctx.list_depth))
        paragraph.paragraph_format.space_after = Pt(6)
        self._add_run(paragraph, paragraph._p, code, _Fmt(code=True), size=CODE_BLOCK_SIZE)

    def _render_rule(self, ctx: _Ctx) -> None:
        paragraph = self._new_paragraph(_Ctx(indent=ctx.indent, list_depth=ctx.list_depth))
        pPr = paragraph._p.get_or_add_pPr()
        pBdr = OxmlElement("w:pBdr")
        bottom = OxmlElement(
            "w:bottom",
            attrs={qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1", qn("w:color"): "auto"},
        )
        pBdr.append(bottom)
        pPr.insert_element_before(pBdr, *_PBDR_SUCCESSORS)

    # -- tables ------------------------------------------------------------

    def _render_table(self, node: Node) -> None:
        rows = _table_rows(node)
        ncols = max((len(cells) for cells, _ in rows), default=0)
        if not ncols:
            return
        texts = [[c.text_content() for c in cells] for cells, _ in rows]
        geometry = self._geometry()
        portrait = self._text_width()
        landscape = geometry.landscape_width if self._can_rotate(geometry) else None
        header_rows = sum(1 for _, is_header in rows if is_header)
        layout = plan_table(texts, ncols, portrait, landscape, header_rows)
        if layout.landscape:
            self._start_landscape(geometry.sectPr)
        for index, (columns, widths) in enumerate(zip(layout.parts, layout.widths)):
            if layout.split:
                self._part_caption(index, len(layout.parts), columns, ncols)
            self._write_table(rows, columns, widths, layout)
        if layout.landscape:
            self._end_landscape(geometry.sectPr)

    def _write_table(self, rows: list[tuple[list[Node], bool]], columns: tuple[int, ...],
                     widths: tuple[int, ...], layout: TableLayout) -> None:
        tbl = CT_Tbl.new_tbl(len(rows), len(columns), Emu(sum(widths)))
        self._insert(tbl)
        table = Table(tbl, self.parent)
        style_id = self._style_id(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        if style_id is not None:
            tbl.tblPr.style = style_id
        set_table_widths(table, widths)
        if layout.cell_margin is not None:
            set_cell_margins(tbl, layout.cell_margin)
        margin = layout.cell_margin if layout.cell_margin is not None else WIDE_MARGIN
        size = Pt(layout.font_size) if layout.font_size is not None else None
        for row_index, (cells, is_header) in enumerate(rows):
            row = table.rows[row_index]
            if is_header:
                trPr = row._tr.get_or_add_trPr()
                trPr.insert_element_before(OxmlElement("w:tblHeader"), *_TBLHEADER_SUCCESSORS)
            docx_cells = row.cells
            for position, column in enumerate(columns):
                if column < len(cells):
                    self._write_cell(docx_cells[position], cells[column], is_header, size,
                                     widths[position] - 2 * margin)
        keep_table_together(table)

    def _write_cell(self, cell, node: Node, is_header: bool, size: Optional[Length], width: int) -> None:
        paragraph = cell.paragraphs[0]
        alignment = _cell_alignment(node)
        if alignment is not None:
            paragraph.alignment = alignment
        bold = is_header or node.tag == "th"
        items = self._inline_items(node.children, _Fmt(bold=bold))
        self._emit_inline(paragraph, items, size=size, room=max(width, MIN_PICTURE_WIDTH))

    def _part_caption(self, index: int, count: int, columns: tuple[int, ...], ncols: int) -> None:
        first = columns[1] + 1 if index else 1
        text = f"Del {index + 1} av {count}: kolumn {first}–{columns[-1] + 1} av {ncols}."
        if index == 0:
            text = (f"Tabellen är för bred för sidan och visas i {count} delar; första kolumnen upprepas "
                    f"i varje del. {text}")
        paragraph = self._new_paragraph(_Ctx())
        paragraph.paragraph_format.keep_with_next = True
        if index:
            paragraph.paragraph_format.space_before = CAPTION_SIZE
        self._add_run(paragraph, paragraph._p, text, _Fmt(italic=True), size=CAPTION_SIZE)

    def _start_landscape(self, sectPr) -> None:
        """End the current (portrait) section before the table; the
        section after the table continues with the original settings."""
        self._section_break(copy.deepcopy(sectPr))
        drop_first_page_settings(sectPr)

    def _end_landscape(self, sectPr) -> None:
        self._section_break(landscape_copy(sectPr))

    def _section_break(self, sectPr) -> None:
        """An empty, tiny paragraph that ends a section with ``sectPr``."""
        paragraph = self._new_paragraph(_Ctx())
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(1)
        pPr = paragraph._p.get_or_add_pPr()
        rPr = OxmlElement("w:rPr")
        rPr.append(OxmlElement("w:sz", attrs={qn("w:val"): "2"}))
        pPr.insert_element_before(rPr, "w:sectPr", "w:pPrChange")
        pPr._insert_sectPr(sectPr)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _table_rows(node: Node) -> list[tuple[list[Node], bool]]:
    """The rows of a table node: (cells, is_header)."""
    rows: list[tuple[list[Node], bool]] = []

    def collect(container: Node, header: bool) -> None:
        for child in container.element_children():
            if child.tag == "tr":
                cells = [c for c in child.element_children() if c.tag in ("td", "th")]
                is_header = header or (bool(cells) and all(c.tag == "th" for c in cells) and not rows)
                rows.append((cells, is_header))
            elif child.tag in ("thead", "tbody", "tfoot"):
                collect(child, child.tag == "thead")

    collect(node, False)
    return rows


def _without_backrefs(node: Node) -> Node:
    """A copy of a footnote definition without Python-Markdown's "↩" links
    back to the text and the no-break space it puts before them."""
    result = Node(node.tag, node.attrs)
    for child in node.children:
        if isinstance(child, Node) and child.tag == "a" and child.has_class(FOOTNOTE_BACKREF_CLASS):
            if result.children and isinstance(result.children[-1], str):
                result.children[-1] = result.children[-1].removesuffix("\xa0")
            continue
        result.children.append(_without_backrefs(child) if isinstance(child, Node) else child)
    return result


def _italic_label(p) -> None:
    """An italic label, as the quoted text around it: the label takes the paragraph mark's formatting."""
    rPr = OxmlElement("w:rPr")
    rPr.append(OxmlElement("w:i"))
    p.get_or_add_pPr().insert_element_before(rPr, "w:sectPr", "w:pPrChange")


def _wrap(tag: str, child: Union[Node, str]) -> Node:
    node = Node(tag, {})
    node.children.append(child)
    return node


def _parse_int(value: Optional[str], default: int) -> int:
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return default


def _cell_alignment(node: Node):
    value = node.attrs.get("align", "").strip().lower()
    if not value:
        m = _TEXT_ALIGN_RE.search(node.attrs.get("style", ""))
        value = m.group(1).lower() if m else ""
    return _ALIGNMENTS.get(value)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def insert_markdown(anchor, text: str, *, heading_shift: int = 0,
                    context: Optional[MarkdownContext] = None) -> None:
    """Insert the Markdown `text` as docx block content immediately BEFORE the
    python-docx Paragraph `anchor` (which may be in the document body or inside a
    table cell). The anchor itself is left in place (the caller removes it).
    Markdown heading level n maps to the paragraph style
    f"Heading {min(max(n - heading_shift, 1), 4)}".

    ``context`` tells where images are and which footnotes and headings the
    rest of the file has; the caller then calls ``context.resolve_links()``
    after the last piece. Without a context, images cannot be found (their
    alt text is written instead, with a warning) and ``#links`` reach only
    headings in ``text``.
    """
    if not text or not text.strip():
        return
    own = context is None
    context = context if context is not None else MarkdownContext()
    converted = convert(text, context.footnotes)
    renderer = _Renderer(anchor, int(heading_shift), context, footnote_bodies(converted.root))
    renderer.render_blocks(converted.root.children, _Ctx())
    if own:
        context.resolve_links()


def remove_paragraph(paragraph) -> None:
    """Remove a python-docx Paragraph from its parent.

    Two cases keep an (emptied) paragraph instead, because removing it
    would break the document: a paragraph carrying a section break
    (w:sectPr), and the last paragraph of a table cell or footnote when no
    other paragraph would follow its content (Word requires every cell and
    footnote to end with a paragraph).
    """
    p = paragraph._p
    parent = p.getparent()
    if parent is None:
        return
    pPr = p.pPr
    keep = pPr is not None and pPr.sectPr is not None
    if not keep and parent.tag in (qn("w:tc"), qn("w:footnote")):
        remaining = [c for c in parent if c is not p and c.tag != qn("w:tcPr")]
        keep = not remaining or remaining[-1].tag == qn("w:tbl")
    if keep:
        for child in list(p):
            if child is not pPr:
                p.remove(child)
        return
    parent.remove(p)
