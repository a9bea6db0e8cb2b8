"""Put the packet's PDFs together: pages, bookmarks, links, metadata."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NullObject, NumberObject, TextStringObject

from . import structure

log = logging.getLogger(__name__)


@dataclass
class OutlineNode:
    title: str
    page_index: int
    children: list["OutlineNode"] = field(default_factory=list)


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str = "sv-SE"
    creator: str = "meetingdocs"


def concatenate(pdfs: list[Path], out: Path, titles: list[str] | None = None) -> Path:
    """All pages of ``pdfs`` in order, without their own bookmarks, keeping their structure trees.

    Each tagged PDF becomes one part of the packet's structure tree, titled
    with ``titles`` (default: the file names); untagged ones join without
    structure (see structure.merge).
    """
    titles = titles if titles is not None else [Path(pdf).stem for pdf in pdfs]
    if len(titles) != len(pdfs):
        raise ValueError(f"{len(pdfs)} PDFs but {len(titles)} titles")
    result = structure.merge([structure.Part(Path(pdf), title) for pdf, title in zip(pdfs, titles)], out)
    if result.untagged:
        log.debug("joined without structure (untagged): %s", ", ".join(p.title for p in result.untagged))
    return out


def finish(in_pdf: Path, out_pdf: Path, *, outline: list[OutlineNode],
           marker_targets: dict[str, int], marker_prefix: str, metadata: Metadata) -> Path:
    """Add bookmarks, links and metadata; turn marker URIs into page links.

    ``marker_targets`` maps marker URIs (placed as hyperlinks in the docx
    sources, exported by LibreOffice as /URI links) to target page indexes.
    Marker links without a target are removed, never left pointing outside.
    """
    writer = PdfWriter(clone_from=str(in_pdf))
    _retarget_marker_links(writer, marker_targets, marker_prefix)
    _add_outline(writer, outline, None)
    _apply_metadata(writer, metadata)
    writer.page_mode = "/UseOutlines"
    with out_pdf.open("wb") as handle:
        writer.write(handle)
    structure.settle(out_pdf, language=metadata.language)  # links added or removed above: tree and keys follow
    return out_pdf


def set_metadata(pdf: Path, metadata: Metadata) -> Path:
    """Title, author, subject and document language, in place."""
    writer = PdfWriter(clone_from=str(pdf))
    _apply_metadata(writer, metadata)
    tmp = pdf.with_suffix(".tmp.pdf")
    with tmp.open("wb") as handle:
        writer.write(handle)
    tmp.replace(pdf)
    return pdf


def _apply_metadata(writer: PdfWriter, metadata: Metadata) -> None:
    writer.add_metadata(
        {
            "/Title": metadata.title,
            "/Author": metadata.author,
            "/Subject": metadata.subject,
            "/Creator": metadata.creator,
            "/Producer": metadata.creator,
        }
    )
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(metadata.language)
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): _true()}
    )


def _true():
    from pypdf.generic import BooleanObject

    return BooleanObject(True)


def _add_outline(writer: PdfWriter, nodes: list[OutlineNode], parent) -> None:
    for node in nodes:
        ref = writer.add_outline_item(title=node.title, page_number=node.page_index, parent=parent,
                                      is_open=False)
        _add_outline(writer, node.children, ref)


def _retarget_marker_links(writer: PdfWriter, targets: dict[str, int], prefix: str) -> None:
    for number, page in enumerate(writer.pages, start=1):
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            action = annot.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is None or not str(uri).startswith(prefix):
                kept.append(ref)
                continue
            target = targets.get(str(uri))
            if target is None:
                log.warning("Länken på sidan %d (till ärende %s) har ingen sida att gå till i kallelsen och "
                            "togs bort.", number, str(uri).removeprefix(prefix))
                continue
            target_page = writer.pages[target]
            del annot[NameObject("/A")]
            annot[NameObject("/Dest")] = ArrayObject(
                [target_page.indirect_reference, NameObject("/XYZ"), NullObject(),
                 NumberObject(int(target_page.mediabox.top)), NullObject()]
            )
            kept.append(ref)
        page[NameObject("/Annots")] = kept


def outline_of(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page index) for every bookmark: used by verification."""
    reader = PdfReader(pdf)
    result: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                result.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return result
