"""Build the meeting packet: kallelse, innehållsförteckning and handlingar.

The build reads top-down as its phases: load and validate every source,
check the tools, render the docx documents, convert them to PDF in one
LibreOffice run, paginate the table of contents, assemble, stamp, verify,
and only then publish into ``packets/MEETING/``. Everything before
publishing happens in a temporary folder; a failure leaves the previous
packet untouched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pypdf import PdfReader

from .errors import ConversionError, OutputInvalidError, display_path
from .model import AgendaItem, Meeting
from .pdf import assemble, fonts, stamp, toc
from .render import documents
from .sources import MEETING_FILE, find_meeting, load_meeting
from .tools import libreoffice, poppler

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PACKET_PDF = "kallelse.pdf"
KALLELSE_DOCX = "kallelse.docx"
MAX_TOC_PASSES = 5


@dataclass
class Document:
    """One document of the packet, from its source to its PDF."""

    key: str  # unique, used for file names in the work folder
    title: str  # as in the TOC and the bookmarks
    origin: Path  # the file the secretary edits, named in error messages
    item: AgendaItem | None = None
    docx: Path | None = None  # to be converted by LibreOffice
    pdf: Path | None = None
    pages: int = 0
    start: int = 0  # 0-based page index in the packet


@dataclass
class Plan:
    meeting: Meeting
    kallelse: Document
    cases: list[tuple[AgendaItem, list[Document]]] = field(default_factory=list)
    toc_pdf: Path | None = None
    toc_pages: int = 0
    toc_links: list = field(default_factory=list)

    def documents(self) -> list[Document]:
        return [self.kallelse] + [doc for _, docs in self.cases for doc in docs]


@dataclass
class BuildResult:
    folder: Path
    pdf: Path
    docx: Path
    pages: int
    warnings: int


def build_packet(sources: Path, date: str, out_root: Path, *, templates: Path = TEMPLATES) -> BuildResult:
    meeting_folder = find_meeting(sources, date)
    log.info("Läser källfilerna i %s", display_path(meeting_folder))
    meeting, warnings = load_meeting(meeting_folder)
    check_tools()
    with work_folder(out_root, meeting.id) as work:
        plan = render(meeting, work, templates)
        convert(plan, work)
        paginate(plan, work)
        packet = assemble_packet(plan, work)
        verify(plan, packet)
        result = publish(meeting, out_root, {packet: PACKET_PDF, work / KALLELSE_DOCX: KALLELSE_DOCX})
    return BuildResult(result, result / PACKET_PDF, result / KALLELSE_DOCX, _page_count(result / PACKET_PDF),
                       len(warnings))


STALE_AFTER = 6 * 3600  # seconds: a work folder this old belongs to a build that was killed


@contextlib.contextmanager
def work_folder(out_root: Path, meeting_id: str) -> Iterator[Path]:
    """A temporary folder beside the outputs, so that publishing is a rename.

    Folders left behind by builds that were killed (power cut, kill -9) are
    removed first.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    prefix = f".bygge-{meeting_id}-"
    for old in out_root.glob(prefix + "*"):
        if time.time() - old.stat().st_mtime > STALE_AFTER:
            shutil.rmtree(old, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=prefix, dir=out_root) as tmp:
        yield Path(tmp)


def check_tools() -> None:
    """Fail early, with the install command, when a program is missing."""
    log.debug("LibreOffice %s, Poppler %s", libreoffice.version(), poppler.version())
    fonts.register_fonts()


# ----------------------------------------------------------------- render


def template_for(templates: Path, meeting: Meeting, name: str) -> Path:
    """A committee may override a template in templates/<nämnd>/."""
    own = templates / meeting.committee.key / name
    return own if own.is_file() else templates / name


def render(meeting: Meeting, work: Path, templates: Path) -> Plan:
    log.info("Sätter upp dokumenten med mallarna")
    docx_dir = work / "docx"
    docx_dir.mkdir()

    def tpl(name: str) -> Path:
        return template_for(templates, meeting, name)

    documents.render_kallelse(meeting, tpl("kallelse.docx"), work / KALLELSE_DOCX, links=False)
    kallelse = Document("00-kallelse", "Kallelse med föredragningslista", meeting.folder / MEETING_FILE,
                        docx=documents.render_kallelse(meeting, tpl("kallelse.docx"),
                                                       docx_dir / "00-kallelse.docx", links=True))
    plan = Plan(meeting, kallelse)
    for item in meeting.cases:
        prefix = f"{item.number:02d}"
        docs = [
            Document(f"{prefix}-0-avdelare", f"{item.number}. {item.heading}", item.case.source, item,
                     docx=documents.render_separator(meeting, item, tpl("avdelare.docx"),
                                                     docx_dir / f"{prefix}-0-avdelare.docx")),
            Document(f"{prefix}-1-tjansteskrivelse", "Tjänsteskrivelse", item.case.source, item,
                     docx=documents.render_tjansteskrivelse(meeting, item, tpl("tjansteskrivelse.docx"),
                                                            docx_dir / f"{prefix}-1-tjansteskrivelse.docx")),
        ]
        for attachment in item.case.attachments:
            key = f"{prefix}-2-bilaga-{attachment.number:02d}"
            doc = Document(key, documents.attachment_label(attachment), attachment.path, item)
            if attachment.kind == "md":
                doc.docx = documents.render_markdown_attachment(meeting, item, attachment, tpl("bilaga.docx"),
                                                                docx_dir / f"{key}.docx")
            elif attachment.kind == "docx":
                doc.docx = docx_dir / f"{key}{attachment.path.suffix.lower()}"
                shutil.copyfile(attachment.path, doc.docx)
            else:
                doc.pdf = attachment.path
            docs.append(doc)
        plan.cases.append((item, docs))
    return plan


# ---------------------------------------------------------------- convert


def convert(plan: Plan, work: Path) -> None:
    pending = [doc for doc in plan.documents() if doc.docx is not None]
    log.info("Konverterar %d dokument till PDF med LibreOffice", len(pending))
    pdf_dir = work / "pdf"
    try:
        outputs = libreoffice.convert_to_pdf([doc.docx for doc in pending], pdf_dir, profile_dir=work / "lo-profil")
    except ConversionError as exc:
        raise _in_terms_of_sources(exc, pending) from exc
    for doc, pdf in zip(pending, outputs):
        doc.pdf = pdf
    for doc in plan.documents():
        doc.pages = _page_count(doc.pdf)


def _in_terms_of_sources(exc: ConversionError, pending: list[Document]) -> ConversionError:
    """Name the secretary's file, not the copy in the temporary folder."""
    doc = next((d for d in pending if exc.source is not None and d.docx.name == Path(exc.source).name), None)
    if doc is None:
        return exc
    message = exc.message
    for staged in {str(doc.docx), str(doc.docx.resolve()), str(exc.source)}:
        message = message.replace(staged, str(doc.origin))
    if doc.origin.suffix.lower() not in (".docx", ".odt"):
        message += f"\nDokumentet ({doc.title}) skapas från {doc.origin}; kontrollera texten där."
    return ConversionError(message, source=doc.origin)


def _page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


# --------------------------------------------------------------- paginate


def _place(plan: Plan, toc_pages: int) -> None:
    """Give every document its first page, given the TOC's length."""
    page = plan.kallelse.pages + toc_pages
    plan.kallelse.start = 0
    for _, docs in plan.cases:
        for doc in docs:
            doc.start = page
            page += doc.pages


def toc_entries(plan: Plan) -> list[toc.TocEntry]:
    entries = [toc.TocEntry(0, plan.kallelse.title, plan.kallelse.start + 1)]
    for _, docs in plan.cases:
        separator, *rest = docs
        entries.append(toc.TocEntry(0, separator.title, separator.start + 1))
        entries.extend(toc.TocEntry(1, doc.title, doc.start + 1) for doc in rest)
    return entries


def entry_targets(plan: Plan) -> list[int]:
    """Target page index of each TOC entry, in the order of toc_entries()."""
    return [plan.kallelse.start] + [doc.start for _, docs in plan.cases for doc in docs]


def paginate(plan: Plan, work: Path) -> None:
    """Render the TOC until its own length no longer moves the page numbers."""
    meeting = plan.meeting
    subheading = f"{meeting.committee.name}\nSammanträde {meeting.date.isoformat()}"
    toc_pages = 1
    plan.toc_pdf = work / "innehall.pdf"
    for attempt in range(1, MAX_TOC_PASSES + 1):
        _place(plan, toc_pages)
        links = toc.render_toc(toc_entries(plan), plan.toc_pdf, subheading=subheading)
        rendered = _page_count(plan.toc_pdf)
        log.debug("TOC pass %d: assumed %d pages, rendered %d", attempt, toc_pages, rendered)
        if rendered == toc_pages:
            plan.toc_pages = toc_pages
            plan.toc_links = links
            return
        toc_pages = rendered
    raise OutputInvalidError(
        f"Innehållsförteckningens sidnummer blev inte stabila efter {MAX_TOC_PASSES} försök. "
        "Kör igen med -v och rapportera felet."
    )


# --------------------------------------------------------------- assemble


def assemble_packet(plan: Plan, work: Path) -> Path:
    meeting = plan.meeting
    log.info("Sätter ihop handlingarna och numrerar sidorna")
    order = [plan.kallelse.pdf, plan.toc_pdf] + [doc.pdf for _, docs in plan.cases for doc in docs]
    raw = assemble.concatenate(order, work / "paket-1-sammansatt.pdf")
    stamped = work / "paket-2-stamplat.pdf"
    stamp.stamp_pages(raw, stamped)
    toc_start = plan.kallelse.pages
    targets = entry_targets(plan)
    links = [
        assemble.PageLink(toc_start + link.toc_page_index, link.rect, targets[link.entry_index])
        for link in plan.toc_links
    ]
    markers = {documents.item_link(item.number): docs[0].start for item, docs in plan.cases}
    committee = meeting.committee
    metadata = assemble.Metadata(
        title=f"Kallelse {committee.name} {meeting.date.isoformat()}",
        author=committee.name,
        subject=f"Kallelse med föredragningslista och handlingar, {committee.short_name} "
                f"{meeting.date.isoformat()}",
    )
    return assemble.finish(stamped, work / PACKET_PDF, outline=outline(plan), links=links,
                           marker_targets=markers, marker_prefix=documents.LINK_PREFIX, metadata=metadata)


def outline(plan: Plan) -> list[assemble.OutlineNode]:
    nodes = [
        assemble.OutlineNode("Kallelse", plan.kallelse.start),
        assemble.OutlineNode("Innehåll", plan.kallelse.pages),
    ]
    for _, docs in plan.cases:
        separator, *rest = docs
        nodes.append(assemble.OutlineNode(separator.title, separator.start,
                                          [assemble.OutlineNode(d.title, d.start) for d in rest]))
    return nodes


# ----------------------------------------------------------------- verify


def verify(plan: Plan, packet: Path) -> None:
    """Read the packet back; refuse to publish one that is not whole."""
    expected = plan.kallelse.pages + plan.toc_pages + sum(d.pages for _, docs in plan.cases for d in docs)
    info = poppler.pdfinfo(packet)
    pages = int(info.get("Pages", "0"))
    if pages != expected:
        raise OutputInvalidError(
            f"Den färdiga PDF:en har {pages} sidor men delarna har {expected}. Inget publicerades; "
            "kör igen med -v och rapportera felet."
        )
    bookmarks = assemble.outline_of(packet)
    if len(bookmarks) != len(outline(plan)) + sum(len(docs) - 1 for _, docs in plan.cases):
        raise OutputInvalidError("Bokmärkena i den färdiga PDF:en är ofullständiga. Inget publicerades.")


# ---------------------------------------------------------------- publish


def publish(meeting: Meeting, out_root: Path, files: dict[Path, str]) -> Path:
    """Move the finished files into packets/MEETING/, each atomically."""
    target = out_root / meeting.id
    target.mkdir(parents=True, exist_ok=True)
    for source, name in files.items():
        os.replace(source, target / name)
    log.info("Klart: %s", display_path(target / PACKET_PDF))
    return target
