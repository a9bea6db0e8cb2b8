"""Shared by the scripts that make the demo meetings' stand-in bilagor.

The demo meetings in sources/ reproduce published packets; the bilagor that
came in as files (PDF or Word) are rebuilt from the packet's text, so that
the repository holds no hand-made binary. Each is written as a Word file
with python-docx (A4, Liberation Sans, language sv-SE, real headings, lists
and tables with a header row). A PDF stand-in is that Word file converted
the way the project converts its own documents (``meetingdocs.tools.
libreoffice``: tagged, fonts embedded) and finished by
``meetingdocs.pdf.conformance.finalize`` with dates from the meeting, so
that it is a tagged, accessible PDF (PDF/UA-1, PDF/A-2b) and the same bytes
every time it is made on the same machine:

- the Info dictionary gets fixed /CreationDate and /ModDate and names the
  script as /Creator; LibreOffice's XMP (with the time of the run) is
  replaced by one made from the Info dictionary;
- the trailer /ID is computed from the content (qpdf's deterministic ID),
  and LibreOffice's /DocChecksum (new every run) is dropped from the trailer;
- lines that LibreOffice 7.4 draws outside any tag (a character border,
  and table rules when the cells have padding) are marked as artifacts.

The script refuses to write a PDF that does not meet the checks of
``finalize`` (tags, embedded fonts, title and so on), naming the reasons.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402
from docx import Document  # noqa: E402
from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Pt, RGBColor  # noqa: E402
from pikepdf import Name, String  # noqa: E402
from pikepdf.models.metadata import encode_pdf_date  # noqa: E402

from meetingdocs.errors import MeetingDocsError  # noqa: E402
from meetingdocs.pdf import conformance  # noqa: E402
from meetingdocs.tools import libreoffice  # noqa: E402

FONT = "Liberation Sans"
FONT_FILE = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
LANGUAGE = "sv-SE"
TIMEZONE = ZoneInfo("Europe/Stockholm")
CELL_PADDING_PT = {"top": 2, "left": 5, "bottom": 3, "right": 5}
STAMP_STRIP_CM = 2.5  # empty strip at the bottom of every page, for the packet's page stamp


class StandinError(Exception):
    """A stand-in could not be made as it must be; the message says why, in Swedish."""


FAILURES = (StandinError, MeetingDocsError)  # what a script reports as "Fel: ..." and exits 1 on


def when(day: str) -> dt.datetime:
    """Noon, Swedish time, on ``day`` (ÅÅÅÅ-MM-DD): the fixed time a stand-in is dated with."""
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=TIMEZONE)


def missing_font_message() -> str | None:
    if FONT_FILE.exists():
        return None
    return (f"Typsnittet Liberation Sans saknas ({FONT_FILE}). "
            "Installera det med: apt-get install fonts-liberation2")


# ---------------------------------------------------------------- document


def new_document(*, margins_cm: tuple[float, float, float, float], heading_sizes: dict[int, float]) -> Document:
    """An empty A4 document in Liberation Sans and sv-SE; margins (top, right, bottom, left) in cm."""
    document = Document()
    _document_defaults(document)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level, size in heading_sizes.items():
        _heading_style(document.styles[f"Heading {level}"], size, space_before=0 if level == 1 else 10)
    for name in ("Header", "Footer", "List Number", "List Bullet", "Table Grid"):
        set_fonts(document.styles[name].element.get_or_add_rPr(), FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    top, right, bottom, left = margins_cm
    section.top_margin, section.right_margin = Cm(top), Cm(right)
    section.bottom_margin, section.left_margin = Cm(bottom), Cm(left)
    return document


def _document_defaults(document: Document) -> None:
    """Font and language of everything that says nothing else."""
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, FONT)
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)


def _heading_style(style, size: float, *, space_before: float) -> None:
    set_fonts(style.element.get_or_add_rPr(), FONT)
    style.font.size = Pt(size)
    style.font.bold = True
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.paragraph_format.space_before = Pt(space_before)
    style.paragraph_format.space_after = Pt(4)


def set_fonts(rpr, font: str) -> None:
    """Point w:rFonts at one real font and drop the theme font references
    (Word lets a theme font win over a named one)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def describe(document: Document, *, title: str, subject: str, author: str, dated: dt.datetime,
             last_modified_by: str = "") -> None:
    """The document properties (title, subject, author, fixed dates) and no preview picture."""
    props = document.core_properties
    props.title = title
    props.subject = subject
    props.author = author
    props.last_modified_by = last_modified_by or author
    props.language = LANGUAGE
    props.keywords = props.comments = props.category = ""
    props.revision = 1
    naive = dated.replace(tzinfo=None)
    props.created = props.modified = props.last_printed = naive
    # The template's preview picture shows some other document: leave it out.
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[r_id]


# ------------------------------------------------------------------ lists


def numbered_list(document: Document, texts: list[str]) -> None:
    """A numbered list that counts from 1, whatever lists came before it."""
    num = _restarted_numbering(document, "List Number")
    for text in texts:
        _use_numbering(document.add_paragraph(text, style="List Number"), num)


def bullet_list(document: Document, texts: list[str]) -> None:
    for text in texts:
        document.add_paragraph(text, style="List Bullet")


def _restarted_numbering(document: Document, style_name: str) -> int:
    """A new w:num on the abstract numbering of ``style_name``, starting at 1."""
    style_num = document.styles[style_name].element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    abstract = None
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(style_num):
            abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    assert abstract is not None, style_name
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    num = _element("w:num", numId=str(new_id))
    num.append(_element("w:abstractNumId", val=abstract))
    override = _element("w:lvlOverride", ilvl="0")
    override.append(_element("w:startOverride", val="1"))
    num.append(override)
    numbering.append(num)
    return new_id


def _use_numbering(paragraph, num_id: int) -> None:
    numpr = OxmlElement("w:numPr")
    numpr.append(_element("w:ilvl", val="0"))
    numpr.append(_element("w:numId", val=str(num_id)))
    paragraph._p.get_or_add_pPr().append(numpr)


def _element(tag: str, **attributes: str):
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


# ----------------------------------------------------------------- tables


def table(document_or_part, rows: list[tuple[str, ...]], widths_cm: list[float], *, header_rows: int = 1,
          style: str | None = "Table Grid", font_size: float = 9.5, right_columns: tuple[int, ...] = (),
          bold_rows: tuple[int, ...] = ()):
    """A table of text; its first ``header_rows`` rows repeat on every page and are tagged as header cells."""
    result = document_or_part.add_table(rows=len(rows), cols=len(widths_cm))
    if style:
        result.style = style
    result.alignment = WD_TABLE_ALIGNMENT.LEFT
    result.autofit = False
    _cell_padding(result, CELL_PADDING_PT)
    for column, width in zip(result.columns, widths_cm):
        column.width = Cm(width)  # w:gridCol, which LibreOffice goes by
    for r, (row, values) in enumerate(zip(result.rows, rows)):
        if r < header_rows:
            repeat_as_header(row)
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            cell.width = Cm(widths_cm[c])
            cell_text(cell, text, size=font_size, bold=r < header_rows or r in bold_rows,
                      right=c in right_columns)
    return result


def _cell_padding(table_, padding_pt: dict[str, float]) -> None:
    """Space between the cells' borders and their text; the table's border is put at the left margin."""
    tblpr = table_._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for edge, points in padding_pt.items():
        margins.append(_element(f"w:{edge}", w=str(round(points * 20)), type="dxa"))
    tblpr.append(margins)
    tblpr.append(_element("w:tblInd", w=str(round(padding_pt["left"] * 20)), type="dxa"))


def cell_text(cell, text: str, *, size: float, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold


def repeat_as_header(row) -> None:
    """Mark a table row as a header row (w:tblHeader): LibreOffice tags its cells TH."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def cell_borders(cell, **edges: str) -> None:
    """Borders on the given edges of ``cell`` (top="single", ...), 0.5 pt black."""
    borders = OxmlElement("w:tcBorders")
    for edge, val in edges.items():
        borders.append(_element(f"w:{edge}", val=val, sz="4", space="0", color="000000"))
    cell._tc.get_or_add_tcPr().append(borders)


# ------------------------------------------------------------------ writing


def docx_bytes(document: Document, dated: dt.datetime) -> bytes:
    """The .docx with fixed member timestamps, so that the file is the same from run to run."""
    buf = io.BytesIO()
    document.save(buf)
    out = io.BytesIO()
    stamp = dated.timetuple()[:6]
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(document: Document, target: Path, dated: dt.datetime) -> None:
    target.write_bytes(docx_bytes(document, dated))


def write_tagged_pdf(documents: dict[Path, tuple[Document, dt.datetime]], *, creator: str) -> None:
    """Convert each document to a tagged PDF at its target path, all with one LibreOffice run."""
    with tempfile.TemporaryDirectory(prefix="standin-") as work:
        work = Path(work)
        sources = []
        for target, (document, dated) in documents.items():
            source = work / "docx" / (target.stem + ".docx")
            source.parent.mkdir(exist_ok=True)
            write_docx(document, source, dated)
            sources.append(source)
        converted = libreoffice.convert_to_pdf(sources, work / "pdf", profile_dir=work / "lo-profil")
        for pdf, (target, (_, dated)) in zip(converted, documents.items()):
            finish_pdf(pdf, target, dated=dated, creator=creator)


def finish_pdf(pdf_in: Path, target: Path, *, dated: dt.datetime, creator: str) -> None:
    """Fixed dates, decoration marked as such, then the project's finishing step; refuses a PDF that falls short."""
    with pikepdf.open(pdf_in, allow_overwriting_input=True) as pdf:
        stamp = String(encode_pdf_date(dated))
        pdf.docinfo[Name.CreationDate] = stamp
        pdf.docinfo[Name.ModDate] = stamp
        pdf.docinfo[Name.Creator] = String(creator)
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        if "/DocChecksum" in pdf.trailer:  # LibreOffice's, new every run, and it would go into the /ID
            del pdf.trailer.DocChecksum
        for page in pdf.pages:
            mark_untagged_paths_as_artifacts(pdf, page)
        pdf.save(pdf_in)
    report = conformance.finalize(pdf_in, pdf_in)
    if report.reasons:  # the file already in sources/ stays as it is
        raise StandinError(f"{target.name} blev inte en tillgänglig PDF: " + "; ".join(report.reasons))
    target.write_bytes(pdf_in.read_bytes())


PATH_CONSTRUCTION = frozenset({"m", "l", "c", "v", "y", "h", "re"})
PATH_PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"})


def mark_untagged_paths_as_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page) -> int:
    """Wrap every path drawn outside marked content in ``/Artifact BMC … EMC``; how many were wrapped.

    LibreOffice 7.4 draws a character border (the box around a sum), and a
    table's rules when its cells have padding, outside any tag; they are
    decoration, which PDF/UA asks to be marked as an artifact.
    """
    operations, wrapped = [], 0
    depth, in_path = 0, False
    for instruction in pikepdf.parse_content_stream(page):
        name = str(instruction.operator)
        if depth == 0 and not in_path and name in PATH_CONSTRUCTION:
            operations.append(([Name.Artifact], pikepdf.Operator("BMC")))
            in_path, wrapped = True, wrapped + 1
        operations.append(instruction)
        if in_path and name in PATH_PAINTING:
            operations.append(([], pikepdf.Operator("EMC")))
            in_path = False
        depth += {"BMC": 1, "BDC": 1, "EMC": -1}.get(name, 0)
    if wrapped:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
    return wrapped
