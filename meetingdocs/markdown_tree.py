"""Markdown -> a small HTML tree, shared by the renderer and the checker.

Python-Markdown turns the text into HTML (raw HTML and character entities
disabled, so everything the user typed is treated as text); the HTML is
parsed into a tree of :class:`Node` with :class:`html.parser.HTMLParser`.

Extensions: tables (every cell kept, also beyond the header row's count),
sane lists, fenced code and footnotes. A heading may end in ``{#id}`` to
give it an id for internal links.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Iterator, Optional, Sequence, Union

import markdown
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.tables import TableExtension, TableProcessor
from markdown.inlinepatterns import SubstituteTagInlineProcessor

# Characters that are not allowed in XML 1.0 (and Python-Markdown's own
# STX/ETX placeholder markers, which fall in the same range).
INVALID_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Stand-in for "&" while the text passes through Python-Markdown. The HTML
# serializer of Python-Markdown leaves entity-like text such as "&amp;"
# unescaped, which would turn user-typed "&amp;" into "&" once the HTML is
# parsed. Hiding every "&" behind a noncharacter keeps the text literal.
AMP_PLACEHOLDER = "\ufdd0"

VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr",
    }
)
HEADING_RE = re.compile(r"^h([1-6])$")
_HEADING_ID_RE = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel"})
_URL_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

FOOTNOTE_DIV_CLASS = "footnote"
FOOTNOTE_REF_CLASS = "footnote-ref"
FOOTNOTE_BACKREF_CLASS = "footnote-backref"
_FOOTNOTE_ID_PREFIX = "fn:"


def sanitize(text: str) -> str:
    """Drop characters that cannot be stored in an XML document."""
    return INVALID_XML_RE.sub("", text)


# --------------------------------------------------------------------------
# Markdown -> HTML
# --------------------------------------------------------------------------


class _AllCellsTableProcessor(TableProcessor):
    """Python-Markdown's table processor drops cells beyond the header
    row's count; this one keeps them (as columns without alignment)."""

    def _build_row(self, row: str, parent, align: Sequence[Optional[str]]) -> None:
        cells = self._split_row(row)
        if len(cells) > len(align):
            align = list(align) + [None] * (len(cells) - len(align))
        super()._build_row(row, parent, align)


class _Tables(TableExtension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        if "|" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("|")
        md.parser.blockprocessors.register(_AllCellsTableProcessor(md.parser, self.getConfigs()), "table", 75)


@dataclass
class Converted:
    """The HTML tree of one piece of Markdown and what the parser saw."""

    root: "Node"
    footnotes: dict[str, str]  # label -> Markdown of every definition known
    references: dict[str, tuple[str, str]]  # reference-style link definitions: label -> (url, title)


_cached: Optional[tuple[markdown.Markdown, FootnoteExtension]] = None


def _markdown() -> tuple[markdown.Markdown, FootnoteExtension]:
    """A Python-Markdown converter, reset for a new text (made once: it is slow to set up)."""
    global _cached
    if _cached is None:
        _cached = _new_markdown()
    md, notes = _cached
    md.reset()
    return md, notes


def _new_markdown() -> tuple[markdown.Markdown, FootnoteExtension]:
    notes = FootnoteExtension()
    md = markdown.Markdown(
        extensions=[_Tables(), "sane_lists", "fenced_code", notes],
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
    return md, notes


def prepare_source(text: str) -> str:
    """The text as fed to Python-Markdown (see AMP_PLACEHOLDER)."""
    return sanitize(text).replace(AMP_PLACEHOLDER, "").replace("&", AMP_PLACEHOLDER)


def convert(text: str, footnotes: Optional[dict[str, str]] = None) -> Converted:
    """Parse ``text``; ``footnotes`` are definitions from elsewhere in the
    same file (from :func:`footnote_definitions`), usable by references here."""
    md, notes = _markdown()
    for label, definition in (footnotes or {}).items():
        notes.setFootnote(label, definition)
    html = md.convert(prepare_source(text))
    root = parse_html(html)
    _take_heading_ids(root)
    return Converted(root, dict(notes.footnotes), dict(md.references))


def footnote_definitions(text: str) -> dict[str, str]:
    """Every footnote definition in ``text``: label -> its Markdown."""
    md, notes = _markdown()
    md.convert(prepare_source(text))
    return dict(notes.footnotes)


# --------------------------------------------------------------------------
# HTML -> tiny tree
# --------------------------------------------------------------------------


class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Union[Node, str]] = []

    def text_content(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                parts.append(child.text_content())
        return "".join(parts)

    def element_children(self) -> list["Node"]:
        return [c for c in self.children if isinstance(c, Node)]

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def walk(self) -> Iterator["Node"]:
        """This node and every element below it, in document order."""
        yield self
        for child in self.element_children():
            yield from child.walk()


def restore(text: str) -> str:
    return text.replace(AMP_PLACEHOLDER, "&")


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self._stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        node = Node(tag, {k: restore(v or "") for k, v in attrs})
        self._stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        node = Node(tag, {k: restore(v or "") for k, v in attrs})
        self._stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, 0, -1):
            if self._stack[i].tag == tag:
                del self._stack[i:]
                return
        # Unmatched end tag: ignore.

    def handle_data(self, data: str) -> None:
        if data:
            self._stack[-1].children.append(restore(data))


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def external_url(href: str) -> Optional[str]:
    """The address a link may point to in the documents, or None: then the
    link's text is written without a link (the checker warns about it)."""
    href = href.strip()
    match = _URL_SCHEME_RE.match(href)
    if match:
        return href if match.group(1).lower() in ALLOWED_URL_SCHEMES else None
    if href.lower().startswith("www."):
        return "https://" + href
    return None


# A web address written as plain text: "https://…", "http://…" or "www.…", up to
# the next space, or an e-mail address ("namn@kommun.se", a mailto: link).
# Punctuation at its end belongs to the sentence, and so does a closing bracket
# without its opening one: "(se https://example.org)."
_BARE_URL_RE = re.compile(r"(?<![\w@/.:+-])(?:(?:https?://|www\.)\w[^\s<>\"]*"
                          r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b(?![@/]))", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[^@/:\s]+@[^@/\s]+")
_SENTENCE_END = ".,;:!?'\"”’»"
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def _without_sentence_end(url: str) -> str:
    while url:
        last = url[-1]
        unbalanced = last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last])
        if last not in _SENTENCE_END and not unbalanced:
            break
        url = url[:-1]
    return url


def bare_urls(text: str) -> list[tuple[str, Optional[str]]]:
    """``text`` in pieces: (piece, None) for text, (address as written, link target) for a bare web or
    e-mail address."""
    pieces: list[tuple[str, Optional[str]]] = []
    position = 0
    for match in _BARE_URL_RE.finditer(text):
        url = _without_sentence_end(match.group(0))
        target = f"mailto:{url}" if _EMAIL_RE.fullmatch(url) else external_url(url)
        if target is None:
            continue
        if match.start() > position:
            pieces.append((text[position:match.start()], None))
        pieces.append((url, target))
        position = match.start() + len(url)
    if position < len(text) or not pieces:
        pieces.append((text[position:], None))
    return pieces


# --------------------------------------------------------------------------
# Headings, anchors and footnotes in the tree
# --------------------------------------------------------------------------


def _take_heading_ids(root: Node) -> None:
    """Move a trailing ``{#id}`` of a heading's text into its ``id``."""
    for node in root.walk():
        if not HEADING_RE.match(node.tag) or not node.children or not isinstance(node.children[-1], str):
            continue
        match = _HEADING_ID_RE.search(node.children[-1])
        if match:
            node.children[-1] = node.children[-1][: match.start()]
            node.attrs["id"] = match.group(1)


def slug(text: str, *, ascii_only: bool = False) -> str:
    """A heading's text as used in ``#links``: lower case, words joined by '-'.

    Unicode letters are kept (GitHub style, "#åtgärder") unless
    ``ascii_only`` ("#atgarder", Python-Markdown's toc style).
    """
    text = unicodedata.normalize("NFKD" if ascii_only else "NFC", text)
    if ascii_only:
        text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchor_keys(text: str, explicit_id: str = "") -> list[str]:
    """The keys a ``#link`` may use to reach a heading, most specific first."""
    keys = [slug(explicit_id)] if explicit_id else []
    keys += [slug(text), slug(text, ascii_only=True)]
    return list(dict.fromkeys(k for k in keys if k))


def link_keys(target: str) -> list[str]:
    """The keys a ``#target`` (without '#') is looked up by."""
    from urllib.parse import unquote

    target = unquote(target)
    return list(dict.fromkeys(k for k in (slug(target), slug(target, ascii_only=True)) if k))


@dataclass
class HeadingAnchors:
    """Headings of a text, by anchor key (first heading wins)."""

    keys: dict[str, str] = field(default_factory=dict)  # key -> heading text

    def add(self, text: str, explicit_id: str = "") -> None:
        for key in anchor_keys(text, explicit_id):
            self.keys.setdefault(key, text)

    def find(self, target: str) -> Optional[str]:
        return next((self.keys[k] for k in link_keys(target) if k in self.keys), None)

    def examples(self) -> list[str]:
        """One key per heading, in order: what a link to it can be written as."""
        first: dict[str, str] = {}
        for key, text in self.keys.items():
            first.setdefault(text, key)
        return list(first.values())


def top_heading_level(text: str) -> int | None:
    """The level of the shallowest heading in the Markdown ``text`` (1 for '#'), None without headings."""
    levels = [int(node.tag[1]) for node in convert(text).root.walk() if HEADING_RE.match(node.tag)]
    return min(levels, default=None)


def heading_anchors(root: Node) -> HeadingAnchors:
    anchors = HeadingAnchors()
    for node in root.walk():
        if HEADING_RE.match(node.tag):
            anchors.add(node.text_content().strip(), node.attrs.get("id", ""))
    return anchors


def footnote_label(node: Node) -> Optional[str]:
    """The label of a footnote reference (``sup``) or definition (``li``)."""
    if node.tag == "sup":
        link = next((c for c in node.element_children() if c.has_class(FOOTNOTE_REF_CLASS)), None)
        if link is None:
            return None
        href = link.attrs.get("href", "")
        return href[1 + len(_FOOTNOTE_ID_PREFIX):] if href.startswith("#" + _FOOTNOTE_ID_PREFIX) else None
    if node.tag == "li":
        ident = node.attrs.get("id", "")
        return ident[len(_FOOTNOTE_ID_PREFIX):] if ident.startswith(_FOOTNOTE_ID_PREFIX) else None
    return None


def footnote_bodies(root: Node) -> dict[str, Node]:
    """The rendered definitions (``li`` nodes) in the footnote div: label -> node."""
    bodies: dict[str, Node] = {}
    for div in root.walk():
        if div.tag == "div" and div.has_class(FOOTNOTE_DIV_CLASS):
            for node in div.walk():
                label = footnote_label(node)
                if node.tag == "li" and label is not None:
                    bodies.setdefault(label, node)
    return bodies


def is_footnote_ref(node: Node) -> bool:
    return node.tag == "sup" and footnote_label(node) is not None
