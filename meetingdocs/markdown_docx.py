"""Render Markdown as native docx block content.

The Markdown source is converted to HTML with Python-Markdown (raw HTML and
character entities disabled, so everything the user typed is treated as
text), the HTML is parsed into a tiny tree with :class:`html.parser.HTMLParser`
and the tree is written as python-docx paragraphs, runs, hyperlinks and
tables, inserted immediately before an anchor paragraph.

Public interface::

    insert_markdown(anchor, text, *, heading_shift=0)
    remove_paragraph(paragraph)

Lists are written with literal markers ("•", "–", "1.", ...) instead of
Word numbering definitions, so the output does not depend on the numbering
part of the target template.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Iterable, Optional, Union

import markdown
from markdown.inlinepatterns import SubstituteTagInlineProcessor

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

__all__ = ["insert_markdown", "remove_paragraph"]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

CODE_FONT = "Liberation Mono"
CODE_BLOCK_SIZE = Pt(9)
LIST_INDENT = Cm(0.63)
QUOTE_INDENT = Cm(1)
HYPERLINK_STYLE = "Hyperlink"
HYPERLINK_COLOR = RGBColor(0x05, 0x63, 0xC1)
TABLE_STYLE = "Table Grid"
NORMAL_STYLE = "Normal"
MAX_HEADING_LEVEL = 4
DEFAULT_TEXT_WIDTH = Cm(16)

# Characters that are not allowed in XML 1.0 (and Python-Markdown's own
# STX/ETX placeholder markers, which fall in the same range).
_INVALID_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Stand-in for "&" while the text passes through Python-Markdown. The HTML
# serializer of Python-Markdown leaves entity-like text such as "&amp;"
# unescaped, which would turn user-typed "&amp;" into "&" once the HTML is
# parsed. Hiding every "&" behind a noncharacter keeps the text literal.
_AMP_PLACEHOLDER = "\ufdd0"

# Whitespace containing a newline (a soft line break in Markdown) becomes
# one space. Only ASCII whitespace: no-break and thin spaces are kept.
_SOFT_BREAK_RE = re.compile(r"[ \t\r]*\n[ \t\r\n]*")
_ASCII_WS = " \t\r\n"

_BULLETS = ("•", "–")  # level 1, 2, then alternating

_VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr",
    }
)
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
_HEADING_RE = re.compile(r"^h([1-6])$")

_ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel"})
_URL_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

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


def _sanitize(text: str) -> str:
    """Drop characters that cannot be stored in an XML document."""
    return _INVALID_XML_RE.sub("", text)


# --------------------------------------------------------------------------
# Markdown -> HTML
# --------------------------------------------------------------------------


def _markdown_to_html(text: str) -> str:
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", "fenced_code"],
        output_format="html",
    )
    # Raw HTML in the source is shown literally, and typed entities such as
    # "&amp;" stay as typed: text is data, never markup.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("entity")
    # CommonMark style hard line break: a backslash at the end of a line.
    md.inlinePatterns.register(
        SubstituteTagInlineProcessor(r"(?<!\\)\\\n", "br"), "backslash_linebreak", 185
    )
    source = _sanitize(text).replace(_AMP_PLACEHOLDER, "").replace("&", _AMP_PLACEHOLDER)
    return md.convert(source)


# --------------------------------------------------------------------------
# HTML -> tiny tree
# --------------------------------------------------------------------------


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Union[_Node, str]] = []

    def text_content(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                parts.append(child.text_content())
        return "".join(parts)

    def element_children(self) -> list["_Node"]:
        return [c for c in self.children if isinstance(c, _Node)]


def _restore(text: str) -> str:
    return text.replace(_AMP_PLACEHOLDER, "&")


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {})
        self._stack: list[_Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        node = _Node(tag, {k: _restore(v or "") for k, v in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID_TAGS:
            self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        node = _Node(tag, {k: _restore(v or "") for k, v in attrs})
        self._stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, 0, -1):
            if self._stack[i].tag == tag:
                del self._stack[i:]
                return
        # Unmatched end tag: ignore.

    def handle_data(self, data: str) -> None:
        if data:
            self._stack[-1].children.append(_restore(data))


def _parse_html(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------
# Inline content
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fmt:
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: Optional[str] = None


@dataclass
class _Text:
    text: str
    fmt: _Fmt


class _Break:
    pass


_InlineItem = Union[_Text, _Break]


def _safe_url(href: str) -> Optional[str]:
    """Return a URL usable as external hyperlink target, or None."""
    href = href.strip()
    if not href:
        return None
    m = _URL_SCHEME_RE.match(href)
    if m:
        if m.group(1).lower() in _ALLOWED_URL_SCHEMES:
            return href
        log.warning("Link with unsupported scheme rendered as plain text: %r", href)
        return None
    if href.lower().startswith("www."):
        return "https://" + href
    log.warning("Relative link rendered as plain text: %r", href)
    return None


def _collect_inline(nodes: Iterable[Union[_Node, str]], fmt: _Fmt, out: list[_InlineItem]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(_Text(node, fmt))
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
            url = _safe_url(node.attrs.get("href", ""))
            _collect_inline(node.children, replace(fmt, href=url) if url else fmt, out)
        elif tag == "img":
            alt = node.attrs.get("alt", "").strip()
            out.append(_Text(f"[Bild: {alt}]" if alt else "[Bild]", fmt))
        else:
            # Unknown or block-level element in inline context: keep its text.
            if tag in _BLOCK_TAGS and _has_content(out):
                out.append(_Break())
            _collect_inline(node.children, fmt, out)


def _has_content(items: list[_InlineItem]) -> bool:
    return any(isinstance(i, _Break) or i.text.strip(_ASCII_WS) for i in items)


def _normalize_inline(items: list[_InlineItem]) -> list[_InlineItem]:
    """Turn soft line breaks into spaces and trim each line; merge runs."""
    lines: list[list[_Text]] = [[]]
    for item in items:
        if isinstance(item, _Break):
            lines.append([])
        else:
            text = _SOFT_BREAK_RE.sub(" ", item.text)
            if text:
                lines[-1].append(_Text(text, item.fmt))
    result: list[_InlineItem] = []
    for index, line in enumerate(lines):
        # Trim leading whitespace of the line.
        while line:
            stripped = line[0].text.lstrip(_ASCII_WS)
            if stripped:
                line[0] = _Text(stripped, line[0].fmt)
                break
            line.pop(0)
        # Trim trailing whitespace of the line.
        while line:
            stripped = line[-1].text.rstrip(_ASCII_WS)
            if stripped:
                line[-1] = _Text(stripped, line[-1].fmt)
                break
            line.pop()
        if index:
            result.append(_Break())
        for item in line:
            last = result[-1] if result else None
            if isinstance(last, _Text) and last.fmt == item.fmt:
                result[-1] = _Text(last.text + item.text, item.fmt)
            else:
                result.append(item)
    return result


# --------------------------------------------------------------------------
# Block context
# --------------------------------------------------------------------------


@dataclass
class _ListItemState:
    marker: Optional[str]


@dataclass(frozen=True)
class _Ctx:
    indent: int = 0  # EMU
    italic: bool = False
    list_depth: int = 0
    item: Optional[_ListItemState] = field(default=None, compare=False)


# --------------------------------------------------------------------------
# Renderer
# --------------------------------------------------------------------------


class _Renderer:
    def __init__(self, anchor: Paragraph, heading_shift: int) -> None:
        self.anchor = anchor
        self.parent = anchor._parent
        self.part = anchor.part
        self.heading_shift = heading_shift
        self._document = None
        self._hyperlink_style_ready = False
        self._list_paragraphs: list[Paragraph] = []
        self._known_styles: dict[tuple[str, WD_STYLE_TYPE], bool] = {}

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

    def _has_style(self, name: str, style_type: WD_STYLE_TYPE) -> bool:
        key = (name, style_type)
        if key not in self._known_styles:
            styles = self.document.styles
            found = False
            if name in styles:
                found = styles[name].type == style_type
            self._known_styles[key] = found
        return self._known_styles[key]

    def _ensure_heading_style(self, name: str, level: int) -> bool:
        if self._has_style(name, WD_STYLE_TYPE.PARAGRAPH):
            return True
        styles = self.document.styles
        if name in styles:  # exists with another type; do not touch it
            return False
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if self._has_style(NORMAL_STYLE, WD_STYLE_TYPE.PARAGRAPH):
            style.base_style = styles[NORMAL_STYLE]
            style.next_paragraph_style = styles[NORMAL_STYLE]
        style.font.bold = True
        style.font.size = Pt({1: 16, 2: 13, 3: 12}.get(level, 11))
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        self._known_styles[(name, WD_STYLE_TYPE.PARAGRAPH)] = True
        return True

    def _ensure_hyperlink_style(self) -> bool:
        if self._hyperlink_style_ready:
            return True
        styles = self.document.styles
        if not self._has_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER):
            if HYPERLINK_STYLE in styles:
                return False
            style = styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
            style.font.color.rgb = HYPERLINK_COLOR
            style.font.underline = WD_UNDERLINE.SINGLE
            style.unhide_when_used = True
            self._known_styles[(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)] = True
        self._hyperlink_style_ready = True
        return True

    def _text_width(self) -> int:
        container = self.anchor._p.getparent()
        if container is not None and container.tag == qn("w:tc"):
            tcPr = container.tcPr
            width = tcPr.width if tcPr is not None else None
            if width:
                return int(width)
        try:
            section = self.document.sections[-1]
            page_width = section.page_width
            left, right = section.left_margin, section.right_margin
            if page_width and left is not None and right is not None:
                width = int(page_width) - int(left) - int(right)
                if width > 0:
                    return width
        except (IndexError, AttributeError):
            pass
        return int(DEFAULT_TEXT_WIDTH)

    # -- element creation --------------------------------------------------

    def _insert(self, element) -> None:
        self.anchor._p.addprevious(element)

    def _new_paragraph(self, ctx: _Ctx, style: str = NORMAL_STYLE, *, use_marker: bool = True) -> Paragraph:
        p = OxmlElement("w:p")
        self._insert(p)
        paragraph = Paragraph(p, self.parent)
        if self._has_style(style, WD_STYLE_TYPE.PARAGRAPH):
            paragraph.style = style
        fmt = paragraph.paragraph_format
        if ctx.list_depth:
            fmt.space_after = Pt(0)
            self._list_paragraphs.append(paragraph)
        if ctx.indent:
            fmt.left_indent = Emu(ctx.indent)
        item = ctx.item
        if use_marker and item is not None and item.marker is not None:
            marker, item.marker = item.marker, None
            fmt.first_line_indent = -LIST_INDENT
            fmt.tab_stops.add_tab_stop(Emu(ctx.indent), WD_TAB_ALIGNMENT.LEFT)
            self._add_run(paragraph, p, marker + "\t", _Fmt(), italic=ctx.italic)
        return paragraph

    def _flush_marker(self, ctx: _Ctx) -> None:
        """Emit a paragraph holding only the list marker if still pending."""
        if ctx.item is not None and ctx.item.marker is not None:
            self._new_paragraph(ctx)

    def _add_run(self, paragraph: Paragraph, container, text: str, fmt: _Fmt, *,
                 italic: bool = False, size: Optional[Length] = None) -> Run:
        r = OxmlElement("w:r")
        container.append(r)
        run = Run(r, paragraph)
        if fmt.href is not None and self._ensure_hyperlink_style():
            run.style = HYPERLINK_STYLE
        if fmt.bold:
            run.bold = True
        if fmt.italic or italic:
            run.italic = True
        if fmt.code:
            self._set_code_font(run)
        if size is not None:
            run.font.size = size
        if text:
            run.text = _sanitize(text)
        return run

    @staticmethod
    def _set_code_font(run: Run) -> None:
        run.font.name = CODE_FONT
        rFonts = run._r.get_or_add_rPr().get_or_add_rFonts()
        rFonts.set(qn("w:cs"), CODE_FONT)
        rFonts.set(qn("w:eastAsia"), CODE_FONT)

    def _emit_inline(self, paragraph: Paragraph, items: list[_InlineItem], *, italic: bool = False) -> None:
        p = paragraph._p
        link_elm = None
        link_href: Optional[str] = None
        for item in items:
            if isinstance(item, _Break):
                link_elm, link_href = None, None
                r = OxmlElement("w:r")
                r.append(OxmlElement("w:br"))
                p.append(r)
                continue
            href = item.fmt.href
            if href is None:
                link_elm, link_href = None, None
                self._add_run(paragraph, p, item.text, item.fmt, italic=italic)
                continue
            if link_elm is None or href != link_href:
                r_id = self.part.relate_to(href, RT.HYPERLINK, is_external=True)
                link_elm = OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id, qn("w:history"): "1"})
                p.append(link_elm)
                link_href = href
            self._add_run(paragraph, link_elm, item.text, item.fmt, italic=italic)

    def _inline_items(self, nodes: Iterable[Union[_Node, str]], fmt: _Fmt = _Fmt()) -> list[_InlineItem]:
        raw: list[_InlineItem] = []
        _collect_inline(nodes, fmt, raw)
        return _normalize_inline(raw)

    # -- blocks ------------------------------------------------------------

    @staticmethod
    def _is_block(node: Union[_Node, str]) -> bool:
        if isinstance(node, str):
            return False
        if node.tag in _BLOCK_TAGS or _HEADING_RE.match(node.tag):
            return True
        if node.tag in _INLINE_TAGS:
            return False
        return any(_Renderer._is_block(c) for c in node.children)

    def render_blocks(self, nodes: Iterable[Union[_Node, str]], ctx: _Ctx) -> None:
        pending: list[Union[_Node, str]] = []

        def flush() -> None:
            if pending:
                items = self._inline_items(pending)
                if items:
                    paragraph = self._new_paragraph(ctx)
                    self._emit_inline(paragraph, items, italic=ctx.italic)
                pending.clear()

        for node in nodes:
            if self._is_block(node):
                flush()
                self._render_block(node, ctx)  # type: ignore[arg-type]
            else:
                pending.append(node)
        flush()

    def _render_block(self, node: _Node, ctx: _Ctx) -> None:
        tag = node.tag
        heading = _HEADING_RE.match(tag)
        if tag == "p":
            paragraph = self._new_paragraph(ctx)
            self._emit_inline(paragraph, self._inline_items(node.children), italic=ctx.italic)
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
        else:
            # div and unknown containers: render their content.
            self.render_blocks(node.children, ctx)

    def _render_heading(self, node: _Node, level: int, ctx: _Ctx) -> None:
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
        self._emit_inline(paragraph, items, italic=ctx.italic)

    def _render_list(self, node: _Node, ctx: _Ctx) -> None:
        ordered = node.tag == "ol"
        number = _parse_int(node.attrs.get("start"), 1)
        depth = ctx.list_depth + 1
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
            if ordered:
                number = _parse_int(child.attrs.get("value"), number)
                marker = f"{number}."
                number += 1
            else:
                marker = _BULLETS[(depth - 1) % len(_BULLETS)]
            item = _ListItemState(marker)
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

    def _render_code_block(self, node: _Node, ctx: _Ctx) -> None:
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

    def _render_table(self, node: _Node) -> None:
        rows: list[tuple[list[_Node], bool]] = []

        def collect(container: _Node, header: bool) -> None:
            for child in container.element_children():
                if child.tag == "tr":
                    cells = [c for c in child.element_children() if c.tag in ("td", "th")]
                    is_header = header or (bool(cells) and all(c.tag == "th" for c in cells) and not rows)
                    rows.append((cells, is_header))
                elif child.tag in ("thead", "tbody", "tfoot"):
                    collect(child, child.tag == "thead")

        collect(node, False)
        ncols = max((len(cells) for cells, _ in rows), default=0)
        if not ncols:
            return
        tbl = CT_Tbl.new_tbl(len(rows), ncols, Emu(self._text_width()))
        self._insert(tbl)
        table = Table(tbl, self.parent)
        if self._has_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE):
            table.style = TABLE_STYLE
        tblW = tbl.tblPr.find(qn("w:tblW"))
        if tblW is None:
            tblW = OxmlElement("w:tblW")
            tbl.tblPr.append(tblW)
        widths = column_widths([[c.text_content() for c in cells] for cells, _ in rows], ncols,
                               self._text_width())
        tblW.set(qn("w:type"), "dxa")
        tblW.set(qn("w:w"), str(sum(Emu(w).twips for w in widths)))
        table.autofit = False
        for grid_col, width in zip(tbl.tblGrid.iterchildren(qn("w:gridCol")), widths):
            grid_col.set(qn("w:w"), str(Emu(width).twips))
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = Emu(width)

        for row_index, (cells, is_header) in enumerate(rows):
            row = table.rows[row_index]
            if is_header:
                trPr = row._tr.get_or_add_trPr()
                trPr.insert_element_before(OxmlElement("w:tblHeader"), *_TBLHEADER_SUCCESSORS)
            docx_cells = row.cells
            for col_index in range(ncols):
                if col_index >= len(cells):
                    continue
                cell_node = cells[col_index]
                paragraph = docx_cells[col_index].paragraphs[0]
                alignment = _cell_alignment(cell_node)
                if alignment is not None:
                    paragraph.alignment = alignment
                bold = is_header or cell_node.tag == "th"
                items = self._inline_items(cell_node.children, _Fmt(bold=bold))
                self._emit_inline(paragraph, items)


def column_widths(rows: list[list[str]], ncols: int, total: int) -> list[int]:
    """Split ``total`` (EMU) between columns by how much text they hold.

    Every column gets at least room for its longest word, so that a label
    such as "Personalkostnader" is never broken inside the word; what is left
    goes to the columns whose text is longer than that.
    """
    longest_word = [1] * ncols
    longest_text = [1] * ncols
    for cells in rows:
        for index, text in enumerate(cells[:ncols]):
            words = text.split()
            longest_word[index] = max(longest_word[index], max((len(w) for w in words), default=1))
            longest_text[index] = max(longest_text[index], min(len(text), 45))
    minimum = [w + 2 for w in longest_word]
    wanted = [max(t + 2, m) for t, m in zip(longest_text, minimum)]
    capacity = total / _EMU_PER_CHAR
    if sum(wanted) <= capacity or sum(minimum) >= capacity:
        weights = wanted if sum(wanted) <= capacity else minimum
    else:
        spare = capacity - sum(minimum)
        extra = [w - m for w, m in zip(wanted, minimum)]
        weights = [m + spare * e / sum(extra) for m, e in zip(minimum, extra)]
    scale = total / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


# The width of an average character of 11 pt Liberation Sans, in EMU.
_EMU_PER_CHAR = 70000


def _wrap(tag: str, child: Union[_Node, str]) -> _Node:
    node = _Node(tag, {})
    node.children.append(child)
    return node


def _parse_int(value: Optional[str], default: int) -> int:
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return default


def _cell_alignment(node: _Node):
    value = node.attrs.get("align", "").strip().lower()
    if not value:
        m = _TEXT_ALIGN_RE.search(node.attrs.get("style", ""))
        value = m.group(1).lower() if m else ""
    return _ALIGNMENTS.get(value)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def insert_markdown(anchor, text: str, *, heading_shift: int = 0) -> None:
    """Insert the Markdown `text` as docx block content immediately BEFORE the
    python-docx Paragraph `anchor` (which may be in the document body or inside a
    table cell). The anchor itself is left in place (the caller removes it).
    Markdown heading level n maps to the paragraph style
    f"Heading {min(max(n - heading_shift, 1), 4)}".
    """
    if not text or not text.strip():
        return
    tree = _parse_html(_markdown_to_html(text))
    _Renderer(anchor, int(heading_shift)).render_blocks(tree.children, _Ctx())


def remove_paragraph(paragraph) -> None:
    """Remove a python-docx Paragraph from its parent.

    Two cases keep an (emptied) paragraph instead, because removing it would
    break the document: a paragraph carrying a section break (w:sectPr) and
    the last paragraph of a table cell when no other paragraph would follow
    the cell's content (Word requires every cell to end with a paragraph).
    """
    p = paragraph._p
    parent = p.getparent()
    if parent is None:
        return
    pPr = p.pPr
    keep = pPr is not None and pPr.sectPr is not None
    if not keep and parent.tag == qn("w:tc"):
        remaining = [c for c in parent if c is not p and c.tag != qn("w:tcPr")]
        keep = not remaining or remaining[-1].tag == qn("w:tbl")
    if keep:
        for child in list(p):
            if child is not pPr:
                p.remove(child)
        return
    parent.remove(p)
