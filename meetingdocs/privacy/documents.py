"""Read each kind of publishable file as text with places, and scan it.

- Markdown and YAML: the whole file, places as line and column (front matter
  and comments included: what is in the source may end up in a document).
- Word (.docx): the paragraphs of the body by their number and first words,
  table cells by table, row and column, text boxes, headers, footers,
  footnotes and endnotes.
- OpenDocument (.odt): its paragraphs and headings by number and first words.
- PDF: the text of each page (pdftotext), places as pages. A PDF without
  any text (a scan) cannot be checked; that is a finding of its own.

A file whose text cannot be read gives an UNCHECKED finding instead of
stopping the build.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from pathlib import Path
from typing import Iterator
from xml.etree import ElementTree

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .. import limits
from ..tools import poppler
from .findings import Finding, LineIndex, Place, findings_in_text, opening, unchecked

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".txt")
MAX_TEXT_BYTES = max(limits.MAX_MARKDOWN_BYTES, limits.MAX_YAML_BYTES)
_ODT_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODT_PARAGRAPHS = (f"{{{_ODT_TEXT}}}p", f"{{{_ODT_TEXT}}}h")
_WORD_PARTS = (  # parts besides the body whose text is printed, by what the secretary calls them
    (re.compile(r"/word/header\d*\.xml$"), "sidhuvudet"),
    (re.compile(r"/word/footer\d*\.xml$"), "sidfoten"),
    (re.compile(r"/word/footnotes\.xml$"), "fotnoterna"),
    (re.compile(r"/word/endnotes\.xml$"), "slutnoterna"),
)

Unit = tuple[str, Place]  # a piece of text and where it is; every offset in it has that place


class UnreadableText(Exception):
    """Why the text of a file could not be read (Swedish, for the warning)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def scan_files(paths: list[Path], today: dt.date | None = None) -> list[Finding]:
    """Findings in each file (each file once), in the order given."""
    seen: set[Path] = set()
    findings: list[Finding] = []
    for path in paths:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            findings += scan_file(path, today)
    return findings


def scan_file(path: Path, today: dt.date | None = None) -> list[Finding]:
    """Findings in one file, read by its kind (its name's ending); other kinds have none."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return scan_text_file(path, today)
    readers = {".docx": _docx_units, ".odt": _odt_units, ".pdf": _pdf_units}
    if suffix not in readers:
        return []
    try:
        units = list(readers[suffix](path))
    except UnreadableText as exc:
        return [unchecked(path, exc.reason)]
    return [finding for text, place in units
            for finding in findings_in_text(text, path, lambda _offset, at=place: at, today)]


def scan_text_file(path: Path, today: dt.date | None = None) -> list[Finding]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [unchecked(path, f"filen gick inte att läsa ({exc.strerror or exc}) och kunde inte kontrolleras "
                                "för personuppgifter")]
    if len(data) > MAX_TEXT_BYTES:
        return [unchecked(path, f"filen är större än {MAX_TEXT_BYTES // 1000} kB och kontrollerades inte för "
                                "personuppgifter")]
    text = data.decode("utf-8-sig", errors="replace")
    return findings_in_text(text, path, LineIndex(text).place, today)


# ------------------------------------------------------------------ Word


def _docx_units(path: Path) -> list[Unit]:
    try:
        document = docx.Document(str(path))
        return [*_body_units(document), *_text_box_units(document.element.body), *_other_part_units(document)]
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a broken file
        log.debug("python-docx cannot read %s: %s", path, exc)
        raise UnreadableText("texten i Word-filen gick inte att läsa, så den kunde inte kontrolleras för "
                             "personuppgifter") from exc


def _body_units(document) -> Iterator[Unit]:
    paragraphs = tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph) and block.text.strip():
            paragraphs += 1
            yield block.text, Place(part=f"stycke {paragraphs} (börjar ”{opening(block.text)}”)")
        elif isinstance(block, Table):
            tables += 1
            yield from _table_units(block, f"tabell {tables}")


def _table_units(table: Table, name: str) -> Iterator[Unit]:
    for row_number, row in enumerate(table.rows, start=1):
        for column, cell in _unique_cells(row.cells):
            text = _cell_text(cell)
            if text.strip():
                yield text, Place(part=f"{name}, rad {row_number}, kolumn {column}")


def _unique_cells(cells) -> list[tuple[int, object]]:
    """(column number, cell), a merged cell once (python-docx repeats it for each column it spans)."""
    seen, unique = set(), []
    for column, cell in enumerate(cells, start=1):
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            unique.append((column, cell))
    return unique


def _cell_text(cell) -> str:
    """A cell's paragraphs and the text of tables inside it."""
    texts = [paragraph.text for paragraph in cell.paragraphs]
    texts += [_cell_text(inner) for table in cell.tables for row in table.rows for _, inner in _unique_cells(row.cells)]
    return "\n".join(texts)


def _text_box_units(body) -> Iterator[Unit]:
    """Text boxes (drawn shapes with text); Word writes each twice, the copy for old readers inside mc:Fallback."""
    boxes = [box for box in body.iter(qn("w:txbxContent")) if not _in_fallback(box)]
    for number, box in enumerate(boxes, start=1):
        text = "\n".join(_paragraph_texts(box))
        if text.strip():
            yield text, Place(part=f"textruta {number}")


def _in_fallback(element) -> bool:
    return any(parent.tag.endswith("}Fallback") for parent in element.iterancestors())


def _other_part_units(document) -> Iterator[Unit]:
    for part in document.part.package.iter_parts():
        name = next((name for pattern, name in _WORD_PARTS if pattern.search(str(part.partname))), None)
        if name is not None:
            text = "\n".join(_paragraph_texts(_part_element(part)))
            if text.strip():
                yield text, Place(part=name)


def _part_element(part):
    element = getattr(part, "element", None)
    return parse_xml(part.blob) if element is None else element  # python-docx keeps some parts as bytes


def _paragraph_texts(element) -> list[str]:
    return ["".join(text.text or "" for text in paragraph.iter(qn("w:t"))) for paragraph in element.iter(qn("w:p"))]


# ----------------------------------------------------------- OpenDocument


def _odt_units(path: Path) -> Iterator[Unit]:
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        log.debug("cannot read the text of %s: %s", path, exc)
        raise UnreadableText("texten i filen gick inte att läsa, så den kunde inte kontrolleras för "
                             "personuppgifter") from exc
    paragraphs = 0
    for element in root.iter():
        if element.tag in _ODT_PARAGRAPHS and (text := "".join(element.itertext())).strip():
            paragraphs += 1
            yield text, Place(part=f"stycke {paragraphs} (börjar ”{opening(text)}”)")


# -------------------------------------------------------------------- PDF


def _pdf_units(path: Path) -> Iterator[Unit]:
    try:
        pages = poppler.pdftotext(path).split("\f")
    except poppler.PopplerError as exc:
        log.debug("pdftotext failed on %s: %s", path, exc)
        raise UnreadableText("texten i PDF-filen gick inte att läsa, så den kunde inte kontrolleras för "
                             "personuppgifter") from exc
    if not any(page.strip() for page in pages):
        raise UnreadableText("PDF-filen har ingen text som går att läsa (den är troligen inskannad), så den kunde "
                             "inte kontrolleras för personuppgifter")
    for number, text in enumerate(pages, start=1):
        if text.strip():
            yield text, Place(page=number)
