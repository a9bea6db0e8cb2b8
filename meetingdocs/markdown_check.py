"""Load-time checks of the secretary's Markdown: nothing is silently lost.

:func:`check_markdown` reads a Markdown text the way the renderer will and
returns, with line numbers, everything that would not come out as written:
images that cannot be used (errors), and text that would be shown
differently from what the writer probably meant (warnings): literal HTML,
links that cannot be links, footnotes without text or without a reference,
unused link definitions and invisible control characters.

:func:`report_markdown` adds them to the problems and warnings of
``sources.py`` so that they are listed with every other source problem.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple, Optional

from . import secrecy
from .errors import Problem
from .markdown_images import ImageProblem, resolve_image
from .markdown_tree import (
    AMP_PLACEHOLDER,
    FOOTNOTE_BACKREF_CLASS,
    FOOTNOTE_DIV_CLASS,
    FOOTNOTE_REF_CLASS,
    INVALID_XML_RE,
    Converted,
    Node,
    convert,
    external_url,
    footnote_label,
    heading_anchors,
    is_footnote_ref,
    restore,
)


class MarkdownIssue(NamedTuple):
    line: int  # 1-based, in the checked text
    message: str  # Swedish, says what to do
    is_warning: bool


# Characters the renderer drops: those XML cannot hold, and the "&" stand-in.
_INVISIBLE_RE = re.compile(INVALID_XML_RE.pattern[:-1] + AMP_PLACEHOLDER + "]")
_HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?/?>")
_HTML_COMMENT_RE = re.compile(r"<!--")
_UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
_NOTE_DEFINITION_RE = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:")  # as Python-Markdown's footnotes extension
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_HTML_TAGS = frozenset(
    """a abbr address article aside b big blockquote body br caption center cite code col colgroup dd del
    details dfn div dl dt em embed figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html
    i iframe img input ins kbd label li link main mark meta nav object ol p pre q s samp script section
    small span strike strong style sub summary sup table tbody td tfoot th thead title tr tt u ul var
    video wbr""".split()
)
_HTML_TIPS = {
    "br": "Avsluta raden med \\ för en radbrytning inom stycket.",
    "b": "Skriv **fet** för fet text.",
    "strong": "Skriv **fet** för fet text.",
    "i": "Skriv *kursiv* för kursiv text.",
    "em": "Skriv *kursiv* för kursiv text.",
    "u": "Understrykning finns inte i Markdown; använd **fet** eller *kursiv*.",
    "img": "Skriv ![Vad bilden visar](bild.png) för en bild.",
    "a": "Skriv [länktext](https://adress) för en länk.",
    "table": "Skriv tabellen med | mellan kolumnerna.",
    "p": "Lämna en tom rad mellan stycken.",
}


def check_markdown(text: str, base_dir: Optional[Path], root_dir: Optional[Path]) -> list[MarkdownIssue]:
    """Everything in ``text`` that would not be rendered as written.

    Images are looked up relative to ``base_dir`` and must lie inside
    ``root_dir`` (the meeting folder). Line numbers count from 1 at the
    first line of ``text``.
    """
    if not text.strip():
        return []
    converted = convert(text)
    locate = _Locator(text)
    issues = _invisible_characters(text)
    issues += _images(converted.root, locate, base_dir, root_dir)
    issues += _links(converted.root, locate)
    issues += _literal_html(converted.root, locate)
    issues += _footnotes(converted, text, locate)
    issues += _unused_link_definitions(converted, text, locate)
    issues += _lists_glued_to_paragraphs(text)
    return sorted(issues, key=lambda issue: (issue.line, issue.is_warning))


def report_markdown(found, path: Path, text: str, first_line: int, root_dir: Optional[Path]) -> None:
    """Add the issues of the Markdown ``text`` (the body of ``path``, starting
    at line ``first_line``) to ``found.problems`` and ``found.warnings``."""
    for issue in check_markdown(text, path.parent, root_dir):
        problem = Problem(path, issue.message, line=first_line + issue.line - 1)
        (found.warnings if issue.is_warning else found.problems).append(problem)
    for marking in secrecy.check(text):
        found.problems.append(Problem(path, marking.message, line=first_line + marking.line - 1))


# --------------------------------------------------------------------------
# Where things are
# --------------------------------------------------------------------------


class _Locator:
    """Line numbers of text found in the source, in order of appearance."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")  # as editors count lines (not str.splitlines: \f is no new line)
        self._after: dict[str, int] = {}

    def line_of(self, *needles: str) -> int:
        """The line of the next occurrence of the first needle found."""
        for needle in needles:
            needle = needle.strip().split("\n")[0].strip()
            if not needle:
                continue
            line = self._find(needle)
            if line is not None:
                return line
        return 1

    def _find(self, needle: str) -> Optional[int]:
        start = self._after.get(needle, 0)
        order = list(range(start, len(self.lines))) + list(range(0, start))
        for index in order:
            if needle in self.lines[index]:
                self._after[needle] = index + 1
                return index + 1
        return None


_LIST_ITEM_RE = re.compile(r"^ {0,3}([-*+]|\d{1,3}[.)])[ \t]+\S")
_BLOCK_START_RE = re.compile(r"^ {0,3}(#|>|\||```|~~~|\[\^?[^\]]*\]:)")


def _lists_glued_to_paragraphs(text: str) -> list[MarkdownIssue]:
    """A list written straight under a line of text, with no blank line
    between, is read as part of that paragraph ("Text - ett - två")."""
    issues = []
    block: list[str] = []  # the lines of the current block, outside fences
    in_fence = False
    for number, line in enumerate(text.split("\n"), start=1):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            block = []
            continue
        if in_fence or not line.strip():
            block = []
            continue
        if _LIST_ITEM_RE.match(line) and block and _is_paragraph(block):
            issues.append(MarkdownIssue(
                number,
                "raden ser ut som början på en lista men blir en del av stycket ovanför, eftersom det inte "
                "finns någon tom rad före listan. Lämna en tom rad före listans första punkt.",
                True,
            ))
            block = []
            continue
        block.append(line)
    return issues


def _is_paragraph(block: list[str]) -> bool:
    """True when ``block`` (consecutive non-blank lines) is plain paragraph
    text: no list item, heading, quote, table or definition in it."""
    return not any(_LIST_ITEM_RE.match(line) or _BLOCK_START_RE.match(line) for line in block)


def _text_nodes(node: Node, in_code: bool = False):
    """(text, inside code) of every text node below ``node``."""
    for child in node.children:
        if isinstance(child, str):
            yield child, in_code
        else:
            yield from _text_nodes(child, in_code or child.tag in ("code", "pre"))


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------


def _invisible_characters(text: str) -> list[MarkdownIssue]:
    issues = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = sorted(set(_INVISIBLE_RE.findall(line)))
        if found:
            codes = ", ".join(f"U+{ord(c):04X}" for c in found)
            issues.append(MarkdownIssue(
                number,
                f"raden innehåller osynliga styrtecken ({codes}) som tas bort. De kommer ofta från inklistrad "
                "text; skriv om raden om texten ser fel ut.",
                True,
            ))
    return issues


def _images(root: Node, locate: _Locator, base_dir: Optional[Path], root_dir: Optional[Path]) -> list[MarkdownIssue]:
    issues = []
    for node in root.walk():
        if node.tag != "img":
            continue
        src = node.attrs.get("src", "")
        alt = node.attrs.get("alt", "").strip()
        line = locate.line_of(f"]({src}", src, f"![{alt}]")
        try:
            resolve_image(src, base_dir, root_dir)
        except ImageProblem as exc:
            issues.append(MarkdownIssue(line, str(exc), False))
            continue
        if not alt:
            issues.append(MarkdownIssue(
                line,
                f"bilden '{src}' saknar beskrivning (alt-text). Skriv vad bilden visar mellan hakparenteserna, "
                "till exempel ![Karta över området](karta.png), så att den som använder skärmläsare får veta "
                "det.",
                True,
            ))
    return issues


def _links(root: Node, locate: _Locator) -> list[MarkdownIssue]:
    anchors = heading_anchors(root)
    issues = []
    for node in root.walk():
        if node.tag != "a" or node.has_class(FOOTNOTE_REF_CLASS) or node.has_class(FOOTNOTE_BACKREF_CLASS):
            continue
        href = node.attrs.get("href", "").strip()
        message = _link_problem(href, node.text_content().strip(), anchors)
        if message:
            issues.append(MarkdownIssue(locate.line_of(f"]({href}", href), message, True))
    return issues


def _link_problem(href: str, text: str, anchors) -> Optional[str]:
    shown = f"'{text}'" if text else "länken"
    if href.startswith("#"):
        if len(href) > 1 and anchors.find(href[1:]) is not None:
            return None
        known = ", ".join(f"#{key}" for key in anchors.examples()[:8]) or "inga"
        return (f"länken '{href}' pekar inte på någon rubrik i filen, så {shown} skrivs utan länk. "
                f"Skriv rubrikens text med små bokstäver och bindestreck i stället för mellanslag. "
                f"Rubriker som finns: {known}.")
    if external_url(href) is not None:
        return None
    if not href:
        return f"länken {shown} saknar adress och skrivs som vanlig text. Skriv adressen inom parentesen."
    return (f"länken till '{href}' kan inte bli klickbar i handlingen, så {shown} skrivs som vanlig text. "
            "Bara webbadresser (https://…), e-post (mailto:…) och rubriker i samma fil (#rubrik) blir länkar.")


def _literal_html(root: Node, locate: _Locator) -> list[MarkdownIssue]:
    issues = []
    seen: set[tuple[int, str]] = set()
    for text, in_code in _text_nodes(root):
        if in_code:
            continue
        for needle, kind, message in _html_findings(text):
            line = locate.line_of(needle)
            if (line, kind) not in seen:
                seen.add((line, kind))
                issues.append(MarkdownIssue(line, message, True))
    return issues


def _html_findings(text: str):
    for match in _HTML_COMMENT_RE.finditer(text):
        yield match.group(0), "<!--", ("HTML-kommentaren '<!-- … -->' döljs inte utan skrivs ut i handlingen. "
                               "Ta bort den om den inte ska synas.")
    for match in _HTML_TAG_RE.finditer(text):
        name = match.group(2).lower()
        if name in _HTML_TAGS:
            tip = _HTML_TIPS.get(name, "Använd Markdown i stället, eller ta bort koden.")
            yield match.group(0), name, f"HTML-koden '{match.group(0)}' skrivs ut som vanlig text. {tip}"


def _footnotes(converted: Converted, text: str, locate: _Locator) -> list[MarkdownIssue]:
    text_only = _without_footnote_div(converted.root)  # a reference inside a footnote does not count
    referenced = {footnote_label(n) for n in text_only.walk() if is_footnote_ref(n)}
    issues = []
    for label, lines in _footnote_definition_lines(text).items():
        if label not in referenced:
            issues += [MarkdownIssue(
                line,
                f"fotnoten [^{label}] har text men ingen hänvisning i texten, så den kommer inte med. Skriv "
                f"[^{label}] där fotnoten ska stå, eller ta bort fotnotens rad.",
                True,
            ) for line in lines]
        elif len(lines) > 1:
            issues += [MarkdownIssue(
                line,
                f"fotnoten [^{label}] har text på flera rader ({', '.join(map(str, lines))}); bara texten på "
                f"rad {lines[-1]} kommer med. Ge fotnoterna olika namn, till exempel [^1] och [^2].",
                True,
            ) for line in lines[:-1]]
    for chunk, in_code in _text_nodes(text_only):
        if in_code:
            continue
        for match in _UNDEFINED_NOTE_RE.finditer(chunk):
            issues.append(MarkdownIssue(
                locate.line_of(match.group(0)),
                f"fotnoten {match.group(0)} har ingen text och skrivs som den står. Lägg till en rad "
                f"'{match.group(0)}: Fotnotens text' någonstans i filen.",
                True,
            ))
    return issues


def _footnote_definition_lines(text: str) -> dict[str, list[int]]:
    """The lines where each footnote is defined, outside fenced code."""
    found: dict[str, list[int]] = {}
    fence = None
    for number, line in enumerate(text.split("\n"), start=1):
        marker = _FENCE_RE.match(line)
        if marker and (fence is None or marker.group(1)[0] == fence):
            fence = None if fence else marker.group(1)[0]
            continue
        definition = _NOTE_DEFINITION_RE.match(line)
        if definition and fence is None:
            found.setdefault(definition.group(1), []).append(number)
    return found


def _without_footnote_div(root: Node) -> Node:
    copy = Node(root.tag, root.attrs)
    copy.children = [c for c in root.children
                     if not (isinstance(c, Node) and c.tag == "div" and c.has_class(FOOTNOTE_DIV_CLASS))]
    return copy


def _unused_link_definitions(converted: Converted, text: str, locate: _Locator) -> list[MarkdownIssue]:
    used = {n.attrs.get("href") for n in converted.root.walk() if n.tag == "a"}
    used |= {n.attrs.get("src") for n in converted.root.walk() if n.tag == "img"}
    issues = []
    for label, (url, _title) in converted.references.items():
        url = restore(url)
        if url in used or _mentioned(label, text):
            continue
        issues.append(MarkdownIssue(
            locate.line_of(f"[{label}]:", f"]: {url}"),
            f"raden '[{label}]: {url}' är en länkdefinition och syns inte i handlingen, och ingen länk "
            f"använder den. Skriv [text][{label}] där länken ska stå, eller skriv raden som vanlig text.",
            True,
        ))
    return issues


def _mentioned(label: str, text: str) -> bool:
    """Whether ``[label]`` is used as a reference (not only defined)."""
    pattern = re.compile(r"\[" + re.escape(label) + r"\](?!:)", re.I)
    return pattern.search(text) is not None

