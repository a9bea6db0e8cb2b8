"""Innehållsförteckning: the table of contents at the front of a packet.

Rendered as a docx through the template ``innehall.docx`` (a heading, the
committee and meeting lines, then one paragraph per document in the styles
"TOC 1" and "TOC 2": title, a right tab stop with a dot leader and the page
number) and converted by LibreOffice, so the TOC is tagged like every other
document: the heading is an H1 and every line a Link element whose
annotation carries the line as its description.

Each line is a hyperlink to a marker URL (:func:`entry_link`);
``assemble.finish`` turns the markers into links to the document's first
page. The TOC carries no page numbers of its own; the page stamp goes in
the bottom 2 cm, which the template's margin leaves empty.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pikepdf
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

from meetingdocs.buildkit import TEMPLATES
from meetingdocs.pdf.structure import make_links_accessible
from meetingdocs.render.documents import LINK_PREFIX, add_hyperlink, render_template
from meetingdocs.tools import libreoffice

log = logging.getLogger(__name__)

TEMPLATE = TEMPLATES / "innehall.docx"
MARKER_PREFIX = f"{LINK_PREFIX}innehall/"
LEADER_GRAY = RGBColor(0x59, 0x59, 0x59)


@dataclass
class TocEntry:
    level: int  # 0 = ärende line or top-level document, 1 = document under an ärende
    title: str
    page: int  # 1-based page number in the final packet


@dataclass
class TocLink:
    toc_page_index: int  # 0-based page index inside the TOC pdf
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF user space
    entry_index: int


def entry_link(index: int) -> str:
    """The marker URL of TOC line ``index``: rewritten to an in-document link in the packet."""
    return f"{MARKER_PREFIX}{index}"


def render_toc(
    entries: list[TocEntry],
    out_pdf: Path,
    *,
    heading: str = "Innehållsförteckning",
    subheading: str = "",
    template: Path = TEMPLATE,
    profile_dir: Path | None = None,
    convert: Callable[[list[Path], Path], list[Path]] | None = None,
) -> list[TocLink]:
    """Write the TOC to ``out_pdf`` (A4, as many pages as needed) with LibreOffice.

    ``out_pdf``'s folder also gets the docx (same stem). ``profile_dir`` is
    the LibreOffice profile (default: next to ``out_pdf``); ``convert``
    (documents, folder) -> PDFs replaces the plain LibreOffice call (the
    packet's goes through the cache). Returns one TocLink per entry, in
    entry order, whose rect covers the entry's lines.
    """
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    docx_path = render_toc_docx(entries, template, out_pdf.with_suffix(".docx"), heading=heading,
                                subheading=subheading)
    if convert is None:
        profile = profile_dir if profile_dir is not None else out_pdf.parent / "lo-profil"
        convert = functools.partial(libreoffice.convert_to_pdf, profile_dir=profile)
    (pdf,) = convert([docx_path], out_pdf.parent)
    join_split_links(pdf)
    links = read_links(pdf, len(entries))
    log.debug("TOC: %d entries on %d page(s) -> %s", len(entries), _pages(pdf), pdf)
    return links


def render_toc_docx(entries: list[TocEntry], template: Path, out: Path, *, heading: str, subheading: str) -> Path:
    context = {
        "dokumenttitel": heading,
        "rubrik": heading,
        "underrubrik": [line.strip() for line in subheading.splitlines() if line.strip()],
    }
    return render_template(template, context, out, lambda anchor: _lines(anchor, entries))


def _lines(anchor: Paragraph, entries: list[TocEntry]) -> None:
    for index, entry in enumerate(entries):
        level = 1 if entry.level > 0 else 0
        paragraph = anchor.insert_paragraph_before(style=f"TOC {level + 1}")
        # gaps at both ends of the leader: extracted text reads "Titel ..... 12", words stay words
        paragraph.add_run(" ".join(str(entry.title).split()) + " ")
        paragraph.add_run("\t").font.color.rgb = LEADER_GRAY
        paragraph.add_run(f"  {entry.page}")
        add_hyperlink(paragraph, entry_link(index))
        # never orphan an ärende line at a page bottom: keep it with its first document
        following = entries[index + 1] if index + 1 < len(entries) else None
        paragraph.paragraph_format.keep_with_next = level == 0 and following is not None and following.level > 0


def _pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def _marker_index(annot) -> int | None:
    action = annot.get("/A")
    uri = str(action.get("/URI", "")) if action is not None else ""
    if not uri.startswith(MARKER_PREFIX):
        return None
    return int(uri.removeprefix(MARKER_PREFIX))


def read_links(pdf: Path, count: int) -> list[TocLink]:
    """One TocLink per entry: the union of the entry's link boxes (an entry may wrap)."""
    boxes: dict[int, TocLink] = {}
    with pikepdf.open(pdf) as document:
        for page_index, page in enumerate(document.pages):
            for annot in page.get("/Annots", []):
                index = _marker_index(annot)
                if index is None:
                    continue
                rect = tuple(float(v) for v in annot.Rect)
                known = boxes.get(index)
                if known is not None:
                    rect = (min(rect[0], known.rect[0]), min(rect[1], known.rect[1]),
                            max(rect[2], known.rect[2]), max(rect[3], known.rect[3]))
                boxes[index] = TocLink(page_index, rect, index)
    missing = [i for i in range(count) if i not in boxes]
    if missing:
        raise ValueError(f"TOC lines without a link in {pdf}: {missing}")
    return [boxes[i] for i in range(count)]


def join_split_links(pdf: Path) -> None:
    """One Link element per link annotation, and a description a screen reader can say.

    Also sets what PDF/UA asks of pages and links that LibreOffice 7.4 leaves
    out: /Tabs /S (a name) and the Print flag.

    LibreOffice 7.4 splits a hyperlink at a tab into two Link elements that
    both claim the same annotation; the second one's content moves into the
    first. The annotation's /Contents ("Titel<TAB>12") becomes "Titel, sidan 12".
    """
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return
        _join_in(root)
        for page in document.pages:
            for annot in page.get("/Annots", []):
                if _marker_index(annot) is not None and "/Contents" in annot:
                    title, _, number = str(annot.Contents).rpartition("\t")
                    annot.Contents = pikepdf.String(f"{title.strip()}, sidan {number.strip()}" if title else number)
        make_links_accessible(document)  # LibreOffice 7.4 writes /Tabs as a string and leaves out the Print flag
        document.save(pdf)


def _objr_of(element) -> pikepdf.Object | None:
    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            return kid.Obj
    return None


def _join_in(element) -> None:
    kids = element.get("/K")
    if not isinstance(kids, pikepdf.Array):
        if isinstance(kids, pikepdf.Dictionary) and "/S" in kids:
            _join_in(kids)
        return
    kept = pikepdf.Array()
    previous = None
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            _join_in(kid)
            annot = _objr_of(kid) if kid.S == "/Link" else None
            if annot is not None and previous is not None and _objr_of(previous) == annot:
                _merge_link(previous, kid)
                continue
            previous = kid if annot is not None else None
        else:
            previous = None
        kept.append(kid)
    element.K = kept


def _merge_link(first, second) -> None:
    """Move ``second``'s marked content into ``first`` (before its OBJR), re-parenting it."""
    content = [k for k in second.K if not (isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR")]
    merged = pikepdf.Array()
    objr = None
    for k in first.K:
        if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR":
            objr = k
        else:
            merged.append(k)
    for k in content:
        merged.append(k)
    if objr is not None:
        merged.append(objr)
    first.K = merged
    _reparent(second, first)


def _reparent(old, new) -> None:
    """Point the ParentTree entries of ``old``'s MCIDs at ``new``."""
    tree = old.P
    while "/ParentTree" not in tree:
        tree = tree.P
    page = old.get("/Pg")
    if page is None or "/StructParents" not in page:
        return
    numtree = pikepdf.NumberTree(tree.ParentTree)
    parents = numtree.get(int(page.StructParents))
    if parents is None:
        return
    for i in range(len(parents)):
        if parents[i].objgen == old.objgen:
            parents[i] = new
