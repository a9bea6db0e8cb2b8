"""Build the meeting packet: kallelse, innehållsförteckning and handlingar.

The build reads top-down as its phases: load and validate every source,
check the tools, render the docx documents (received PDF bilagor are copied
without active content), convert them to PDF in one LibreOffice run (the
copies first stripped of external references; received Word bilagor cleaned
afterwards), paginate the table of contents, assemble, stamp, verify (page
count, bookmarks, no active content anywhere) and only then publish into
``packets/MEETING/``, all files or none. Everything before publishing
happens in a temporary folder; a failure leaves the previous packet
untouched.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from pypdf import PdfReader

from . import cache as cache_module
from . import privacy, secrecy, uptodate
from .buildkit import TEMPLATES, Converter, check_tools, template_for, template_name, work_folder
from .buildkit import publish as publish_set
from .cache import Cache
from .errors import ConversionError, OutputInvalidError, Problem, SourceError, display_path
from .model import AgendaItem, Attachment, Meeting
from .pdf import assemble, conformance, received, sanitize, stamp, toc
from .render import documents
from .sources import MEETING_FILE, load_meeting
from .tools import external_refs, libreoffice, poppler

log = logging.getLogger(__name__)

PACKET_PDF = "kallelse.pdf"
RECEIVED_DIR = "mottagna"  # in the work folder: cleaned copies of received bilagor
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
    received: Attachment | None = None  # a PDF or Word bilaga made by others: cleaned of active content
    secrecy: str = ""  # the OSL ground when the document is secret: stamped on its pages with the page number


@dataclass
class Plan:
    meeting: Meeting
    kallelse: Document
    cases: list[tuple[AgendaItem, list[Document]]] = field(default_factory=list)
    toc_pdf: Path | None = None
    toc_pages: int = 0

    def documents(self) -> list[Document]:
        return [self.kallelse] + [doc for _, docs in self.cases for doc in docs]


@dataclass
class BuildResult:
    folder: Path
    pdf: Path
    docx: Path
    pages: int
    warnings: int
    public_refusals: list[str] = field(default_factory=list)  # why publik/kallelse.pdf was not made


PUBLIC_DIR = "publik"  # packets/DATE/publik/: the packet as it may be published (sekretess removed)


def public_packet_path(out_root: Path, meeting_id: str) -> Path:
    """Where the public packet of a meeting lies once built (the web site publishes only this one)."""
    return out_root / meeting_id / PUBLIC_DIR / PACKET_PDF


def build_packet(sources: Path, date: str, out_root: Path, *, templates: Path = TEMPLATES,
                 strict: bool = False, cache: Cache | None = None) -> BuildResult:
    cache = cache if cache is not None else Cache.from_environment()
    inputs = uptodate.packet_inputs(sources, date, out_root, templates, strict=strict)  # before reading them
    with uptodate.warnings_given() as given:
        result = _build(inputs, templates, strict, cache)
    uptodate.remember(cache, inputs, _published_files(result), given, result_data(result))
    cache.prune()
    return result


def _build(inputs: uptodate.Inputs, templates: Path, strict: bool, cache: Cache) -> BuildResult:
    meeting_folder = inputs.meeting_folder
    log.info("Läser källfilerna i %s", display_path(meeting_folder))
    meeting, warnings = load_meeting(meeting_folder)
    personal_data = privacy.warn_about_personal_data(meeting)  # the members' packet warns, the public one refuses
    libreoffice_identity = check_tools(cache)
    out_root = inputs.target.parent
    with work_folder(out_root, meeting.id) as work:
        converter = Converter(cache, work / "lo-profil", libreoffice_identity)
        packet = make_packet(secrecy.internal_view(meeting), work, templates, converter, strict=strict)
        public = make_public_packet(meeting, packet, work / "offentlig", templates, converter, personal_data)
        files = {PACKET_PDF: packet.pdf, KALLELSE_DOCX: packet.docx, received.REPORT_FILE: packet.report}
        if public.folder is not None:
            files[PUBLIC_DIR] = public.folder
        result = publish(meeting, out_root, files, obsolete=() if public.folder else (PUBLIC_DIR,))
    return BuildResult(result, result / PACKET_PDF, result / KALLELSE_DOCX, packet.pages, len(warnings),
                       public.refusals)


def _published_files(result: BuildResult) -> list[Path]:
    names = [PACKET_PDF, KALLELSE_DOCX, received.REPORT_FILE, f"{PUBLIC_DIR}/{PACKET_PDF}"]
    return [result.folder / name for name in names if (result.folder / name).is_file()]


def result_data(result: BuildResult) -> dict:
    """What the record of a build keeps of its result (``uptodate.reused_packet`` gives it back)."""
    return {"pdf": result.pdf.name, "docx": result.docx.name, "pages": result.pages, "warnings": result.warnings,
            "public_refusals": result.public_refusals}


@dataclass(frozen=True)
class MadePacket:
    pdf: Path
    docx: Path  # the kallelse alone, for editing
    report: Path  # tillganglighet.txt
    pages: int


def make_packet(meeting: Meeting, work: Path, templates: Path, converter: Converter, *,
                strict: bool = False) -> MadePacket:
    """Render, convert, check, paginate, assemble, finalize and verify one packet inside ``work``."""
    plan = render(meeting, work, templates)
    clean_received_pdfs(plan, work, converter.cache)
    convert(plan, work, converter)
    clean_converted(plan, work, converter.cache)
    reviews = received.review(plan, converter.cache)  # embeds fonts where lossless; warns what keeps PDF/UA off
    if strict:
        received.require_conformance(reviews)
    paginate(plan, work, templates, converter)
    packet = assemble_packet(plan, work)
    own = own_conformance_problems(packet, reviews)  # XMP; the claims where met
    if strict:
        received.require_conformance(reviews, own)
    verify(plan, packet)
    report = received.write_report(reviews, work / received.REPORT_FILE, own)
    return MadePacket(packet, work / KALLELSE_DOCX, report, _page_count(packet))


@dataclass(frozen=True)
class PublicPacket:
    folder: Path | None  # publik/ with kallelse.pdf; None when it may not be published
    refusals: list[str]  # why not: one line per personnummer it would show, with file and line or page


def make_public_packet(meeting: Meeting, internal: MadePacket, work: Path, templates: Path, converter: Converter,
                       personal_data: list[privacy.Finding]) -> PublicPacket:
    """The folder publik/ with the packet as it may be published: without anything marked secret (built anew
    from the sources, so that no secret text is in the file at all), or the packet itself when nothing is.
    Not made when it would show a personnummer: found in the sources outside what is marked secret, or, as
    a last check, in the text of the finished file."""
    refusals = [f.message() for f in privacy.published_numbers(meeting, personal_data)]
    if refusals:
        return _refused(refusals)
    folder = work / "ut"
    folder.mkdir(parents=True)
    if secrecy.has_markings(meeting):
        log.info("Bygger den offentliga kallelsen, utan det som är markerat som sekretess")
        (work / "arbete").mkdir()
        shutil.copyfile(make_packet(secrecy.public_view(meeting), work / "arbete", templates, converter).pdf,
                        folder / PACKET_PDF)
    else:
        shutil.copyfile(internal.pdf, folder / PACKET_PDF)
    shown = [f for f in privacy.scan_file(folder / PACKET_PDF) if f.is_number]
    if shown:
        return _refused([f"den offentliga kallelsen, {f.place}: {f.kind} ({f.shown}) i texten ”{f.excerpt}” — "
                         "leta upp texten i källfilerna eller bilagorna och ta bort numret eller markera det som "
                         "sekretess" for f in shown])
    return PublicPacket(folder, [])


def _refused(refusals: list[str]) -> PublicPacket:
    log.warning("Den offentliga kallelsen (publik/kallelse.pdf) görs inte, eftersom den skulle visa "
                "personnummer:\n%s", "\n".join(f"  - {line}" for line in refusals))
    return PublicPacket(None, refusals)


def own_conformance_problems(packet: Path, reviews: list[received.Review]) -> list[str]:
    """Finalize the packet; what its own checks found beyond the received bilagor, each also a warning."""
    blockers = received.blocker_lines(reviews)
    report = conformance.finalize(packet, packet, blockers=blockers)
    own = [reason for reason in report.reasons if reason not in blockers]
    for reason in own:
        log.warning("Kallelsen märks inte som tillgänglig och arkivbeständig (PDF/UA-1, PDF/A-2): %s", reason)
    return own


# ----------------------------------------------------------------- render


def render(meeting: Meeting, work: Path, templates: Path) -> Plan:
    log.info("Sätter upp dokumenten med mallarna")
    docx_dir = work / "docx"
    docx_dir.mkdir()

    def tpl(name: str) -> Path:
        return template_for(templates, meeting, name)

    kallelse = Document("00-kallelse", "Kallelse med föredragningslista", meeting.folder / MEETING_FILE,
                        docx=documents.render_kallelse(meeting, tpl("kallelse.docx"),
                                                       docx_dir / "00-kallelse.docx", links=True))
    documents.without_item_links(kallelse.docx, work / KALLELSE_DOCX)  # the copy to edit: no links to follow
    plan = Plan(meeting, kallelse)
    for item in meeting.cases:
        if documents.has_documents(item.case):  # an item with only its text in the kallelse has no handlingar
            plan.cases.append((item, _case_documents(meeting, item, tpl, work)))
    return plan


def _case_documents(meeting: Meeting, item: AgendaItem, tpl: Callable[[str], Path], work: Path) -> list[Document]:
    """The separator page, the tjänsteskrivelse (if the item has one) and the bilagor of one item."""
    docx_dir = work / "docx"
    prefix = f"{item.number:02d}"
    secret = item.case.secrecy
    docs = [Document(f"{prefix}-0-avdelare", f"{item.number}. {item.heading}", item.case.source, item,
                     docx=documents.render_separator(meeting, item, tpl("avdelare.docx"),
                                                     docx_dir / f"{prefix}-0-avdelare.docx"), secrecy=secret)]
    if item.case.has_report:
        docs.append(Document(f"{prefix}-1-tjansteskrivelse", "Tjänsteskrivelse", item.case.source, item,
                             docx=documents.render_tjansteskrivelse(meeting, item, tpl("tjansteskrivelse.docx"),
                                                                    docx_dir / f"{prefix}-1-tjansteskrivelse.docx"),
                             secrecy=secret))
    for attachment in item.case.attachments:
        key = f"{prefix}-2-bilaga-{attachment.number:02d}"
        doc = Document(key, documents.attachment_label(attachment), attachment.path, item,
                       received=attachment if attachment.kind != "md" else None,
                       secrecy=attachment.secrecy or secret)
        if attachment.kind == "md":
            doc.docx = documents.render_markdown_attachment(meeting, item, attachment, tpl("bilaga.docx"),
                                                            docx_dir / f"{key}.docx")
        elif attachment.kind == "docx":
            doc.docx = docx_dir / f"{key}{attachment.path.suffix.lower()}"
            shutil.copyfile(attachment.path, doc.docx)
        docs.append(doc)
    return docs


CLEAN_KIND = "rensad"  # in the build cache: a received PDF without active content, with what was removed


def clean_received(item: AgendaItem, attachment: Attachment, pdf: Path, out: Path,
                   cache: Cache | None = None) -> Path:
    """A copy of a bilaga made by others, without JavaScript and other active content.

    The secretary's file is never changed; what was removed is named in a
    warning, one line per file (again when the copy comes from the cache).
    """
    out.parent.mkdir(exist_ok=True)
    cache = cache or Cache(None)
    key = cache_module.key(CLEAN_KIND, cache_module.file_digest(pdf), cache_module.code_version())
    known = cache.fetch_file(CLEAN_KIND, key, out)
    if known is None:
        removed = _sanitized(item, attachment, pdf, out)
        known = {"removed": sanitize.sentence(removed) if removed else ""}
        cache.store_file(CLEAN_KIND, key, out, known)
    if known["removed"]:
        log.warning("Bilaga %d till ärende %d (fil %s): %s", attachment.number, item.number, attachment.path.name,
                    known["removed"])
    return out


def _sanitized(item: AgendaItem, attachment: Attachment, pdf: Path, out: Path) -> list[str]:
    try:
        return sanitize.sanitize_pdf(pdf, out)
    except sanitize.UnreadablePdfError as exc:
        log.debug("pikepdf cannot open %s: %s", pdf, exc)
        raise SourceError([_attachment_problem(
            item, attachment, "går inte att öppna för kontroll av aktivt innehåll (som JavaScript). "
            "Exportera eller ladda ner den på nytt.")]) from exc
    except sanitize.ActiveContentRemainsError as exc:
        raise SourceError([_attachment_problem(
            item, attachment, f"innehåller aktivt innehåll som inte gick att ta bort "
            f"({sanitize.describe(exc.found)}). Be avsändaren om en PDF utan sådant innehåll, eller skriv ut "
            "bilagan till en ny PDF (Skriv ut och en PDF-skrivare i PDF-läsaren) och använd den.")]) from exc


def _attachment_problem(item: AgendaItem, attachment: Attachment, message: str) -> Problem:
    return Problem(item.case.source, f"bilagan '{attachment.path.name}' {message}",
                   field=f"bilagor[{attachment.number}].fil")


def clean_received_pdfs(plan: Plan, work: Path, cache: Cache) -> None:
    """Copies of the received PDF bilagor without active content (before converting: a PDF that cannot be
    opened stops the build at once)."""
    for item, doc in _received(plan, "pdf"):
        doc.pdf = clean_received(item, doc.received, doc.received.path, work / RECEIVED_DIR / f"{doc.key}.pdf", cache)


def clean_converted(plan: Plan, work: Path, cache: Cache) -> None:
    """Received Word files become PDFs only in convert(): clean those copies too."""
    for item, doc in _received(plan, "docx"):
        doc.pdf = clean_received(item, doc.received, doc.pdf, work / RECEIVED_DIR / f"{doc.key}.pdf", cache)


def _received(plan: Plan, kind: str) -> Iterator[tuple[AgendaItem, Document]]:
    return ((item, doc) for item, docs in plan.cases for doc in docs
            if doc.received is not None and doc.received.kind == kind)


# ---------------------------------------------------------------- convert


def convert(plan: Plan, work: Path, converter: Converter) -> None:
    pending = [doc for doc in plan.documents() if doc.docx is not None]
    leave_out_external_references(pending)
    log.info("Konverterar %d dokument till PDF med LibreOffice", len(pending))
    pdf_dir = work / "pdf"
    try:
        outputs = converter.convert([doc.docx for doc in pending], pdf_dir)
    except ConversionError as exc:
        raise _in_terms_of_sources(exc, pending) from exc
    for doc, pdf in zip(pending, outputs):
        doc.pdf = pdf
    for doc in plan.documents():
        doc.pages = _page_count(doc.pdf)


def leave_out_external_references(pending: list[Document]) -> None:
    """Take out of the copies what LibreOffice would fetch from elsewhere; warn about what goes missing."""
    for doc in (d for d in pending if d.received is not None):
        for ref in external_refs.neutralise(doc.docx):
            if ref.shown:
                log.warning("Bilaga %d till ärende %d (fil %s): %s.", doc.received.number, doc.item.number,
                            doc.origin.name, ref.lost())
    external_refs.neutralise_generated((d.docx, template_name(d.key)) for d in pending if d.received is None)


def _in_terms_of_sources(exc: ConversionError, pending: list[Document]) -> ConversionError:
    """Name the secretary's file, not the copy in the temporary folder, with advice that fits it."""
    doc = next((d for d in pending if exc.source is not None and d.docx.name == Path(exc.source).name), None)
    if doc is None or not isinstance(exc, libreoffice.LibreOfficeFailed):
        return exc
    subject, advice = _failure_advice(doc, exc.kind)
    return exc.retold(subject, advice, source=doc.origin)


_EDITED_IN = {
    ".docx": ("Word", ".docx"),
    ".odt": ("LibreOffice Writer", ".odt"),
}


def _failure_advice(doc: Document, kind: str) -> tuple[str, str]:
    """What to call a document LibreOffice failed on, and what to do, by the kind of file it comes from."""
    origin = display_path(doc.origin)
    suffix = doc.origin.suffix.lower()
    if suffix in _EDITED_IN:
        return origin, libreoffice.editor_advice(kind, *_EDITED_IN[suffix])
    if suffix in (".yaml", ".yml"):
        return "kallelsen med föredragningslistan", (
            f"Kallelsen skapas från föredragningslistan i {origin} och mallen kallelse.docx. Listan kan vara för "
            "lång eller ha mycket långa rubriker; korta den och försök igen. Har mallen i templates/ ändrats, "
            "pröva med den tidigare.")
    subject = f"”{doc.title}” i ärende {doc.item.number}" if doc.item is not None else f"”{doc.title}”"
    return subject, (
        f"Dokumentet skapas från {origin}. Texten där kan vara för lång eller innehålla något som LibreOffice "
        "inte klarar att sätta upp, till exempel en mycket stor tabell. Korta texten eller dela upp den på flera "
        "bilagor och försök igen.")


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


def paginate(plan: Plan, work: Path, templates: Path, converter: Converter) -> None:
    """Render the TOC until its own length no longer moves the page numbers.

    Each pass is one LibreOffice run (about 3 s); a TOC that fits the pages
    it was given is done after the first.
    """
    meeting = plan.meeting
    subheading = f"{meeting.committee.name}\nSammanträde {meeting.date.isoformat()}"
    template = template_for(templates, meeting, "innehall.docx")
    toc_pages = 1
    plan.toc_pdf = work / "innehall" / "innehall.pdf"
    for attempt in range(1, MAX_TOC_PASSES + 1):
        _place(plan, toc_pages)
        toc.render_toc(toc_entries(plan), plan.toc_pdf, subheading=subheading, template=template,
                       convert=converter.convert)
        rendered = _page_count(plan.toc_pdf)
        log.debug("TOC pass %d: assumed %d pages, rendered %d", attempt, toc_pages, rendered)
        if rendered == toc_pages:
            plan.toc_pages = toc_pages
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
    raw = assemble.concatenate(order, work / "paket-1-sammansatt.pdf", titles=part_titles(plan))
    stamped = work / "paket-2-stamplat.pdf"
    stamp.stamp_pages(raw, stamped, notes=secrecy_notes(plan), own_layout=own_layout(plan))
    # the TOC lines are marker links (toc.entry_link), retargeted like the agenda's; LibreOffice
    # tagged them as Link elements, with "Titel, sidan N" as their description
    markers = {documents.item_link(item.number): docs[0].start for item, docs in plan.cases}
    markers |= {toc.entry_link(i): target for i, target in enumerate(entry_targets(plan))}
    committee = meeting.committee
    metadata = assemble.Metadata(
        title=f"Kallelse {committee.name} {meeting.date.isoformat()}",
        author=committee.name,
        subject=f"Kallelse med föredragningslista och handlingar, {committee.short_name} "
                f"{meeting.date.isoformat()}",
    )
    return assemble.finish(stamped, work / PACKET_PDF, outline=outline(plan),
                           marker_targets=markers, marker_prefix=documents.LINK_PREFIX, metadata=metadata)


def own_layout(plan: Plan) -> set[int]:
    """Pages (0-based) laid out by our own templates, which keep the spot of the page number free: all but
    the received bilagor's (those are looked at for a free corner)."""
    pages = set(range(plan.kallelse.pages + plan.toc_pages))
    for doc in plan.documents()[1:]:
        if doc.received is None:
            pages.update(range(doc.start, doc.start + doc.pages))
    return pages


def secrecy_notes(plan: Plan) -> dict[int, str]:
    """The sekretessmarkering beside the page number on every page of a secret document (0-based pages)."""
    return {doc.start + page: secrecy.marking(doc.secrecy) for doc in plan.documents() if doc.secrecy
            for page in range(doc.pages)}


def part_titles(plan: Plan) -> list[str]:
    """Title of each part of the packet's structure tree, in the order of assemble_packet()."""
    titles = [plan.kallelse.title, "Innehållsförteckning"]
    for item, docs in plan.cases:
        separator, *rest = docs
        titles.append(separator.title)
        titles.extend(f"{doc.title}, ärende {item.number}" for doc in rest)
    return titles


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
    sanitize.refuse_active_content(packet, "Den färdiga kallelsen")


# ---------------------------------------------------------------- publish


def publish(meeting: Meeting, out_root: Path, files: dict[str, Path], obsolete: tuple[str, ...] = ()) -> Path:
    """Move the finished set into packets/MEETING/: every file of it, or none; remove ``obsolete`` ones."""
    target = out_root / meeting.id
    publish_set(target, files, obsolete)
    log.info("Klart: %s", display_path(target / PACKET_PDF))
    return target
