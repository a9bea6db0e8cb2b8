"""Markdown from the sources as safe HTML for the web site.

Every text first goes through :func:`meetingdocs.secrecy.public_markdown`, so
a passage marked secret never reaches a page. The text is parsed by the
same Python-Markdown setup as the documents (:mod:`meetingdocs.markdown_tree`:
raw HTML and entities are read as text, never as markup) and written out
again from its tree with a short list of allowed elements and attributes:

* every text is escaped; an element not on the list is left out, its text kept;
* a link keeps only an address with an allowed scheme
  (:data:`~meetingdocs.markdown_tree.ALLOWED_URL_SCHEMES`) or a ``#link`` to an
  id of the same text; otherwise its text stays without the link;
* bare web and e-mail addresses become links, as in the PDF;
* headings are moved down to fit under the page's own headings;
* ids (footnotes, ``{#id}`` headings) get a prefix, so that two texts on one
  page never share an id;
* a table's header cells get ``scope="col"``;
* an image from the meeting folder is copied into the site (``bilder/``).
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .. import secrecy
from ..markdown_images import ImageProblem, resolve_image
from ..markdown_tree import FOOTNOTE_BACKREF_CLASS, HEADING_RE, Node, bare_urls, convert, external_url

log = logging.getLogger(__name__)

IMAGE_DIR = "bilder"
# Elements written as they are (attributes listed per element); anything else is unwrapped.
ALLOWED = {
    "p": (), "br": (), "em": (), "strong": (), "code": (), "pre": (), "blockquote": (), "hr": (),
    "ul": (), "ol": ("start",), "li": ("id",), "sup": ("id",), "sub": (), "del": (),
    "table": (), "thead": (), "tbody": (), "tr": (), "th": (), "td": (),
    "h1": ("id",), "h2": ("id",), "h3": ("id",), "h4": ("id",), "h5": ("id",), "h6": ("id",),
    "div": ("class",), "a": ("href", "class"),
}
VOID = frozenset({"br", "hr", "img"})
NO_AUTOLINK = frozenset({"a", "code", "pre"})
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_LEVEL = 6


@dataclass
class Images:
    """Images the pages show: site-relative name -> file in the sources, filled while rendering."""

    files: dict[str, Path] = field(default_factory=dict)

    def add(self, path: Path) -> str:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        name = f"{IMAGE_DIR}/{digest}{path.suffix.lower()}"
        self.files[name] = path
        return name


@dataclass(frozen=True)
class Where:
    """What a text needs from its place: its folder for images, an id prefix, its top heading level."""

    namespace: str
    level: int = 4  # the level the text's shallowest heading gets on the page
    base_dir: Path | None = None  # the folder of the Markdown file (images are named relative to it)
    root_dir: Path | None = None  # the meeting folder (images may not lie outside it)
    images: Images | None = None  # where to register images; None: images are shown as their text


def to_html(markdown: str, where: Where) -> Markup:
    """The public part of ``markdown`` as HTML that is safe to put in a page."""
    text = secrecy.public_markdown(markdown)
    if not text.strip():
        return Markup("")
    root = convert(text).root
    writer = _Writer(where, _heading_shift(root, where.level), _ids(root))
    return Markup("".join(writer.children(root, linkify=True)))


def plain_text(markdown: str) -> str:
    """The public part of ``markdown`` as plain text (for JSON and the feed): paragraphs on lines of their own."""
    text = secrecy.public_markdown(markdown)
    if not text.strip():
        return ""
    root = convert(text).root
    blocks = [" ".join(node.text_content().split()) for node in root.element_children()]
    return "\n\n".join(block for block in blocks if block)


def _heading_shift(root: Node, level: int) -> int:
    levels = [int(node.tag[1]) for node in root.walk() if HEADING_RE.match(node.tag)]
    return level - min(levels) if levels else 0


def _ids(root: Node) -> set[str]:
    return {node.attrs["id"] for node in root.walk() if node.attrs.get("id")}


class _Writer:
    def __init__(self, where: Where, shift: int, ids: set[str]):
        self.where = where
        self.shift = shift
        self.ids = ids

    def local_id(self, value: str) -> str:
        return f"{self.where.namespace}-{_ID_SAFE.sub('-', value).strip('-')}"

    def children(self, node: Node, *, linkify: bool) -> list[str]:
        parts: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(_text(child, linkify))
            else:
                parts.append(self.element(child, linkify=linkify and child.tag not in NO_AUTOLINK))
        return parts

    def element(self, node: Node, *, linkify: bool) -> str:
        tag = node.tag
        if tag == "img":
            return self.image(node)
        if tag == "a":
            return self.link(node)
        if HEADING_RE.match(tag):
            tag = f"h{min(MAX_LEVEL, max(1, int(tag[1]) + self.shift))}"
        if tag not in ALLOWED:
            return "".join(self.children(node, linkify=linkify))
        attrs = self.attributes(node, ALLOWED.get(node.tag, ALLOWED.get(tag, ())))
        if tag == "th":
            attrs.append(("scope", "col"))
        opening = f"<{tag}{_attrs(attrs)}>"
        if tag in VOID:
            return opening
        return f"{opening}{''.join(self.children(node, linkify=linkify))}</{tag}>"

    def attributes(self, node: Node, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
        attrs = []
        for name in allowed:
            value = node.attrs.get(name)
            if value is None:
                continue
            if name == "id":
                value = self.local_id(value)
            elif name == "start" and not value.isdigit():
                continue
            attrs.append((name, value))
        return attrs

    def link(self, node: Node) -> str:
        inner = "".join(self.children(node, linkify=False))
        href = node.attrs.get("href", "").strip()
        if href.startswith("#"):
            target = href[1:]
            if target not in self.ids:
                return inner
            attrs = [("href", "#" + self.local_id(target))]
            if node.attrs.get("class"):
                attrs.append(("class", node.attrs["class"]))
            if node.has_class(FOOTNOTE_BACKREF_CLASS):  # its text is only an arrow
                attrs.append(("aria-label", "Tillbaka till texten"))
            return f"<a{_attrs(attrs)}>{inner}</a>"
        url = external_url(href)
        if url is None:
            return inner
        return f"<a{_attrs([('href', url)])}>{inner}</a>"

    def image(self, node: Node) -> str:
        alt = node.attrs.get("alt", "").strip()
        where = self.where
        if where.images is None:
            return html.escape(alt)
        try:
            image = resolve_image(node.attrs.get("src", ""), where.base_dir, where.root_dir)
        except ImageProblem as exc:  # the packet's checks refuse these; a page shows the text instead
            log.debug("image left out of the web page: %s", exc)
            return html.escape(alt)
        name = where.images.add(image.path)
        attrs = [("src", name), ("alt", alt), ("width", str(image.width_px)), ("height", str(image.height_px))]
        return f"<img{_attrs(attrs)}>"


def _text(text: str, linkify: bool) -> str:
    if not linkify:
        return html.escape(text, quote=False)
    parts = []
    for piece, target in bare_urls(text):
        shown = html.escape(piece, quote=False)
        parts.append(shown if target is None else f'<a href="{html.escape(target)}">{shown}</a>')
    return "".join(parts)


def _attrs(attrs: list[tuple[str, str]]) -> str:
    return "".join(f' {name}="{html.escape(value)}"' for name, value in attrs)
