"""Property-based test of the Markdown renderer: nothing is silently lost.

Hypothesis writes Markdown-ish text from Swedish words (each one unique, so
that it can be looked for), emphasis, lists, tables, headings, links, code,
quotes, footnotes, images, literal HTML, control characters and blocks of
Markdown punctuation noise. For every example:

* insert_markdown does not raise,
* the saved docx opens again with python-docx,
* every word appears in the document's text (body or footnotes), or
  check_markdown reports a problem on a line where the word is written.

No LibreOffice here: one example costs milliseconds.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from meetingdocs.markdown_docx import MarkdownContext, check_markdown, insert_markdown, remove_paragraph

pytestmark = pytest.mark.fuzz

LETTERS = "abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖéü"
STEMS = ("nämnd", "beslut", "ärende", "åtgärd", "Östersund", "Härjedalen", "kostnad", "år", "överskott",
         "Åre", "café", "x")
CONTROL = "\x00\x01\x02\x03\x07\x08\x0b\x0c\x0e\x1b\x1f\ufdd0\ufffe"
NOTE_LABELS = ["1", "2", "not"]
# Markdown's special characters, for blocks of noise that only must not crash anything.
NOISE = "*_[]()!#|>-+.:`~<>{}^\\&;= \n\tabcåäö1"


@dataclass
class Words:
    """The words of one example, as written: each unique (a stem and a running number)."""

    used: list[str] = field(default_factory=list)


@st.composite
def word(draw, words: Words) -> str:
    stem = draw(st.one_of(st.sampled_from(STEMS), st.text(LETTERS, min_size=1, max_size=5)))
    text = f"{stem}{len(words.used)}"
    if draw(st.integers(0, 30)) == 0:  # a control character inside the word is dropped, with a warning
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.sampled_from(CONTROL)) + text[position:]
    words.used.append(text)
    return text


def visible(written: str) -> str:
    return "".join(c for c in written if c not in CONTROL)


@st.composite
def inline(draw, words: Words, max_pieces: int = 5) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, max_pieces))):
        kind = draw(st.sampled_from(
            ["plain", "plain", "plain", "em", "strong", "code", "link", "anchor", "note", "html", "control",
             "image", "amp"]
        ))
        w = draw(word(words))
        pieces.append({
            "plain": w,
            "em": f"*{w}*",
            "strong": f"**{w}**",
            "code": f"`{w}`",
            "link": f"[{w}](https://example.org/{len(words.used)})",
            "anchor": f"[{w}](#{draw(st.sampled_from(['rubrik', 'saknas', 'bakgrund']))})",
            "note": f"{w}[^{draw(st.sampled_from(NOTE_LABELS))}]",
            "html": f"<b>{w}</b>",
            "control": f"{draw(st.sampled_from(CONTROL))} {w}",
            "image": f"![{w}]({draw(st.sampled_from(['bild.png', 'saknas.png', 'https://example.org/b.png']))})",
            "amp": f"{w} &amp; &",
        }[kind])
    return " ".join(pieces)


@st.composite
def block(draw, words: Words) -> str:
    kind = draw(st.sampled_from(
        ["paragraph", "paragraph", "heading", "list", "numbered", "table", "code", "quote", "footnote", "rule",
         "noise"]
    ))
    if kind == "noise":
        return draw(st.text(NOISE, min_size=1, max_size=30))
    if kind == "heading":
        level = draw(st.integers(1, 6))
        suffix = draw(st.sampled_from(["", "", " {#bakgrund}"]))
        return "#" * level + " " + draw(inline(words, 3)) + suffix
    if kind in ("list", "numbered"):
        items = draw(st.lists(inline(words, 3), min_size=1, max_size=4))
        marker = "-" if kind == "list" else "1."
        nested = "\n    " + marker + " " + draw(inline(words, 2)) if draw(st.booleans()) else ""
        return "\n".join(f"{marker} {item}" for item in items) + nested
    if kind == "table":
        columns = draw(st.integers(1, 12))
        rows = draw(st.integers(1, 2))
        lines = ["| " + " | ".join(draw(inline(words, 1)) for _ in range(columns)) + " |",
                 "|" + "---|" * columns]
        for _ in range(rows):  # a row may have more or fewer cells than the header
            cells = draw(st.integers(1, columns + 2))
            lines.append("| " + " | ".join(draw(inline(words, 2)) for _ in range(cells)) + " |")
        return "\n".join(lines)
    if kind == "code":
        return "```\n" + " ".join(draw(word(words)) for _ in range(draw(st.integers(1, 4)))) + "\n```"
    if kind == "quote":
        return "> " + draw(inline(words))
    if kind == "footnote":
        return f"[^{draw(st.sampled_from(NOTE_LABELS))}]: " + draw(inline(words, 3))
    if kind == "rule":
        return "---"
    return draw(inline(words))


@st.composite
def markdown_text(draw) -> tuple[str, list[str]]:
    words = Words()
    blocks = draw(st.lists(block(words), min_size=1, max_size=6))
    return "\n\n".join(blocks), words.used


def rendered_text(document) -> str:
    """Every paragraph's text in the body (tables included) and the footnotes,
    and the pictures' descriptions (their alt text)."""
    roots = [document.element.body]
    roots += [rel.target_part.element for rel in document.part.rels.values() if rel.reltype == RT.FOOTNOTES]
    lines = []
    for root in roots:
        for paragraph in root.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
        lines += [picture.get("descr", "") for picture in root.iter(qn("wp:docPr"))]
    return "\n".join(lines)


def lines_with(text: str, word: str) -> set[int]:
    return {number for number, line in enumerate(text.split("\n"), start=1) if word in line}


USED_STYLES = {"Normal", "heading 1", "heading 2", "heading 3", "heading 4", "Table Grid",
               "Default Paragraph Font", "Normal Table", "No List"}


@pytest.fixture(scope="module")
def base_document() -> bytes:
    """python-docx's default document with only the styles the renderer uses:
    a fifth of the time to open and save, for hundreds of examples."""
    document = docx.Document()
    styles = document.styles.element
    for style in list(styles.iterchildren(qn("w:style"))):
        name = style.find(qn("w:name"))
        if name is None or name.get(qn("w:val")) not in USED_STYLES:
            styles.remove(style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A meeting folder with one real image, bild.png."""
    path = tmp_path_factory.mktemp("fuzz")
    Image.new("RGB", (30, 20), (0, 90, 160)).save(path / "bild.png")
    return path


@given(markdown_text())
def test_markdown_never_loses_text_silently(base_document, folder, example):
    text, words = example
    document = docx.Document(io.BytesIO(base_document))
    anchor = document.add_paragraph("ANKARE")
    context = MarkdownContext.for_file(folder / "text.md", folder, [text])
    insert_markdown(anchor, text, context=context)
    context.resolve_links()
    remove_paragraph(anchor)
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    reopened = docx.Document(buffer)

    shown = rendered_text(reopened)
    flagged = {issue.line for issue in check_markdown(text, folder, folder)}
    for written in words:
        pattern = re.compile(r"(?<!\w)" + re.escape(visible(written)) + r"(?!\w)")
        if not pattern.search(shown):
            assert lines_with(text, written) & flagged, f"{written!r} vanished without a problem reported"
    assert "ANKARE" not in shown
