"""Build the protokoll: ``make protokoll DATE=…``.

Phases as for the packet: load the meeting and the record and check both,
number the paragraphs, render the protokoll, one utdrag per § and the
anslagsbevis, convert them with one LibreOffice run, verify, and publish
into ``packets/MEETING/`` (``utdrag/`` replaced as a whole).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

from ..buildkit import TEMPLATES, Converter, check_tools, template_for, template_name, work_folder
from ..cache import Cache
from ..buildkit import publish as publish_set
from ..errors import OutputInvalidError, display_path
from ..model import Meeting
from ..pdf import conformance, sanitize
from ..pdf.assemble import Metadata, set_metadata
from .. import privacy, secrecy
from ..sources import find_meeting, load_meeting
from ..tools import external_refs, libreoffice
from . import numbering, render
from .record import Record, load_record

log = logging.getLogger(__name__)

PROTOKOLL_PDF = "protokoll.pdf"
PROTOKOLL_DOCX = "protokoll.docx"
ANSLAGSBEVIS_PDF = "anslagsbevis.pdf"  # the notice of the protokoll's justering: only once it is justerat
IMMEDIATE_ANSLAGSBEVIS_PDF = "anslagsbevis-omedelbar.pdf"  # the notice of the §§ justerade at the meeting
UTDRAG_DIR = "utdrag"
DISPATCH_JSON = "sandlista.json"
DISPATCH_TEXT = "sandlista.txt"
# Everything a build of the protokoll can leave in packets/MEETING/. What the current state does not make
# is removed when the new set is published, so nothing stale stays (an anslagsbevis next to a protokoll that
# is no longer justerat); utdrag/ is replaced as a whole, so the extracts of §§ that are gone go with it.
OUTPUTS = (PROTOKOLL_PDF, PROTOKOLL_DOCX, ANSLAGSBEVIS_PDF, IMMEDIATE_ANSLAGSBEVIS_PDF, UTDRAG_DIR)


@dataclass
class MinutesResult:
    folder: Path
    outputs: list[Path] = field(default_factory=list)


def utdrag_name(paragraph: int) -> str:
    return f"protokollsutdrag-{paragraph}.pdf"


def build_minutes(sources: Path, date: str, out_root: Path, *, templates: Path = TEMPLATES) -> MinutesResult:
    folder = find_meeting(sources, date, command="protokoll")
    log.info("Läser källfilerna och protokollet i %s", display_path(folder))
    meeting, _ = load_meeting(folder)
    meeting = secrecy.minutes_view(meeting)  # the protokoll is public: nothing marked secret goes in
    record = load_record(meeting)
    privacy.warn_about_personal_data_in_minutes(meeting, record)  # the protokoll is published: say what looks personal
    number_paragraphs(sources, meeting, record)
    cache = Cache.from_environment()
    libreoffice_identity = check_tools(cache)
    with work_folder(out_root, meeting.id) as work:
        documents = render_all(meeting, record, work, templates)
        pdfs = convert(documents, work, record, Converter(cache, work / "lo-profil", libreoffice_identity))
        finish(meeting, record, pdfs)
        staged = stage(meeting, record, work, pdfs)
        verify(record, staged)
        result = publish(meeting, out_root, staged)
    cache.prune()
    return result


def number_paragraphs(sources: Path, meeting: Meeting, record: Record) -> None:
    span = numbering.span_for(sources, meeting.committee.key, meeting.id, meeting.date.year)
    for offset, decision in enumerate(record.decisions):
        decision.paragraph = span.first + offset
    log.info("Paragraferna blir %s", render.paragraph_range(record))


def render_all(meeting: Meeting, record: Record, work: Path, templates: Path) -> dict[str, Path]:
    """key -> docx; keys: protokoll, anslagsbevis, anslagsbevis-omedelbar, utdrag-N."""
    log.info("Sätter upp protokollet, %d protokollsutdrag och anslagsbevisen", len(record.decisions))
    docx_dir = work / "docx"
    docx_dir.mkdir()

    def tpl(name: str) -> Path:
        return template_for(templates, meeting, name)

    documents = {"protokoll": render.render_protokoll(meeting, record, tpl("protokoll.docx"),
                                                      docx_dir / "protokoll.docx")}
    for decision in record.decisions:
        documents[f"utdrag-{decision.paragraph}"] = render.render_utdrag(
            meeting, record, decision, tpl("utdrag.docx"), docx_dir / f"protokollsutdrag-{decision.paragraph}.docx")
    if record.adjusted:
        documents["anslagsbevis"] = render.render_anslagsbevis(meeting, record, tpl("anslagsbevis.docx"),
                                                               docx_dir / "anslagsbevis.docx")
    else:
        log.info("Anslagsbeviset skapas när protokollet är justerat (justerat: ja i protokoll.yaml).")
    if record.immediate and record.immediate_posted is not None:
        documents["anslagsbevis-omedelbar"] = render.render_anslagsbevis(
            meeting, record, tpl("anslagsbevis.docx"), docx_dir / "anslagsbevis-omedelbar.docx", immediate=True)
    return documents


def convert(documents: dict[str, Path], work: Path, record: Record, converter: Converter) -> dict[str, Path]:
    _leave_out_external_references(documents)
    log.info("Konverterar %d dokument till PDF med LibreOffice", len(documents))
    try:
        outputs = converter.convert(list(documents.values()), work / "pdf")
    except libreoffice.LibreOfficeFailed as exc:
        key = next((k for k, docx in documents.items() if exc.source is not None and docx.name == exc.source.name),
                   None)
        if key is None:
            raise
        raise exc.retold(_document_name(key), _failure_advice(record), source=record.source) from exc
    return dict(zip(documents, outputs))


def _leave_out_external_references(documents: dict[str, Path]) -> None:
    """The templates may link images from elsewhere: LibreOffice must not fetch them."""
    external_refs.neutralise_generated((docx, template_name(key)) for key, docx in documents.items())


def _document_name(key: str) -> str:
    """'protokoll', 'anslagsbevis', 'utdrag-12' as the secretary says it."""
    if key.startswith("utdrag-"):
        return f"protokollsutdraget för § {key.partition('-')[2]}"
    return {"protokoll": "protokollet", "anslagsbevis": "anslagsbeviset",
            "anslagsbevis-omedelbar": "anslagsbeviset för den omedelbara justeringen"}.get(key, key)


def _failure_advice(record: Record) -> str:
    return (f"Dokumentet skapas från {display_path(record.source)} och mallarna i templates/. Texten där kan "
            "vara för lång eller innehålla något som LibreOffice inte klarar att sätta upp, till exempel en mycket "
            "lång beslutstext. Korta texten och försök igen.")


def finish(meeting: Meeting, record: Record, pdfs: dict[str, Path]) -> None:
    committee = meeting.committee
    date = meeting.date.isoformat()
    titles = {"protokoll": f"Protokoll {committee.name} {date}",
              "anslagsbevis": f"Bevis om anslag {committee.name} {date}",
              "anslagsbevis-omedelbar": f"Bevis om anslag, omedelbar justering, {committee.name} {date}"}
    for decision in record.decisions:
        titles[f"utdrag-{decision.paragraph}"] = (f"Protokollsutdrag {committee.name} {date} "
                                                  f"§ {decision.paragraph}")
    for key, pdf in pdfs.items():
        set_metadata(pdf, Metadata(title=titles[key], author=committee.name,
                                   subject=f"{committee.short_name} {date} {render.paragraph_range(record)}"))
        make_reproducible(pdf)


def make_reproducible(pdf: Path) -> None:
    """The same document gives the same bytes in every build, in place.

    LibreOffice stamps each PDF with the time of the run (/CreationDate) and an /ID made from it. The
    utdrag of a § justerad at the meeting is sent before the protokoll is justerat, and the send log knows a
    file by its sha256: the utdrag the later build makes of that § must be the very file already sent. The
    creation date goes; the /ID becomes a digest of the file itself.
    """
    writer = PdfWriter(clone_from=str(pdf))
    writer.metadata = {k: v for k, v in (writer.metadata or {}).items() if k not in ("/CreationDate", "/ModDate")}
    writer._ID = _file_id(bytes(16))  # pypdf keeps LibreOffice's /ID; replace it: first a placeholder...
    draft = io.BytesIO()
    writer.write(draft)
    writer._ID = _file_id(hashlib.sha256(draft.getvalue()).digest()[:16])  # ...then the digest of the rest
    tmp = pdf.with_suffix(".tmp.pdf")
    with tmp.open("wb") as handle:
        writer.write(handle)
    tmp.replace(pdf)


def _file_id(digest: bytes) -> ArrayObject:
    return ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])


def dispatch_list(meeting: Meeting, record: Record) -> dict:
    """Who gets which extracts: one entry per name under Expedieras till."""
    recipients: dict[str, list[int]] = {}
    for decision in record.decisions:
        for name in decision.dispatch:
            recipients.setdefault(name, []).append(decision.paragraph)
    numbers = [d.paragraph for d in record.decisions]
    return {
        "nämnd": meeting.committee.short_name,
        "datum": meeting.date.isoformat(),
        "justerat": record.adjusted,
        "omedelbart justerade": [d.paragraph for d in record.immediate],  # may be sent before the justering
        "paragrafer": [min(numbers), max(numbers)] if numbers else [],
        "mottagare": [
            {"mottagare": name, "paragrafer": paragraphs, "filer": [utdrag_name(p) for p in paragraphs]}
            for name, paragraphs in recipients.items()
        ],
    }


def _dispatch_text(data: dict) -> str:
    lines = [f"Sändlista för protokollsutdrag, {data['nämnd']} {data['datum']}", ""]
    for entry in data["mottagare"]:
        paragraphs = ", ".join(f"§ {p}" for p in entry["paragrafer"])
        lines.append(f"{entry['mottagare']}: {paragraphs}")
    if not data["mottagare"]:
        lines.append("Inga paragrafer ska expedieras.")
    immediate = data["omedelbart justerade"]
    if immediate:
        lines += ["", f"Justerade omedelbart vid sammanträdet (utdragen kan skickas före protokollets justering): "
                      f"{', '.join(f'§ {p}' for p in immediate)}"]
    return "\n".join(lines) + "\n"


def stage(meeting: Meeting, record: Record, work: Path, pdfs: dict[str, Path]) -> dict[str, Path]:
    """Lay out the outputs in work/ut/ exactly as they will be published."""
    out = work / "ut"
    (out / UTDRAG_DIR).mkdir(parents=True)
    staged = {PROTOKOLL_PDF: out / PROTOKOLL_PDF, PROTOKOLL_DOCX: out / PROTOKOLL_DOCX}
    shutil.move(pdfs["protokoll"], staged[PROTOKOLL_PDF])
    shutil.copyfile(work / "docx" / "protokoll.docx", staged[PROTOKOLL_DOCX])
    for key, name in (("anslagsbevis", ANSLAGSBEVIS_PDF), ("anslagsbevis-omedelbar", IMMEDIATE_ANSLAGSBEVIS_PDF)):
        if key in pdfs:
            staged[name] = out / name
            shutil.move(pdfs[key], staged[name])
    for decision in record.decisions:
        shutil.move(pdfs[f"utdrag-{decision.paragraph}"], out / UTDRAG_DIR / utdrag_name(decision.paragraph))
    data = dispatch_list(meeting, record)
    (out / UTDRAG_DIR / DISPATCH_JSON).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
    (out / UTDRAG_DIR / DISPATCH_TEXT).write_text(_dispatch_text(data), encoding="utf-8")
    staged[UTDRAG_DIR] = out / UTDRAG_DIR
    for pdf in [*(p for p in staged.values() if p.suffix == ".pdf"), *staged[UTDRAG_DIR].glob("*.pdf")]:
        conformance.finalize(pdf, pdf)  # XMP from the Info set in finish(); PDF/UA and PDF/A claims if met
    return staged


def verify(record: Record, staged: dict[str, Path]) -> None:
    pages = len(PdfReader(staged[PROTOKOLL_PDF]).pages)
    extracts = sorted(p.name for p in staged[UTDRAG_DIR].glob("*.pdf"))
    if pages < 1 or len(extracts) != len(record.decisions):
        raise OutputInvalidError(
            f"Protokollet blev ofullständigt ({pages} sidor, {len(extracts)} av {len(record.decisions)} utdrag). "
            "Inget publicerades; kör igen med -v och rapportera felet.")
    published = [staged[PROTOKOLL_PDF], *sorted(staged[UTDRAG_DIR].glob("*.pdf"))]
    published += [staged[name] for name in (ANSLAGSBEVIS_PDF, IMMEDIATE_ANSLAGSBEVIS_PDF) if name in staged]
    for pdf in published:
        sanitize.refuse_active_content(pdf, f"Protokollsfilen {pdf.name}")


def publish(meeting: Meeting, out_root: Path, staged: dict[str, Path]) -> MinutesResult:
    """Move the protokoll's set into packets/MEETING/: every file of it (utdrag/ as a whole), or none.

    Whatever an earlier build made that this one does not (see OUTPUTS) is removed in the same step.
    """
    target = out_root / meeting.id
    result = MinutesResult(target, publish_set(target, staged, obsolete=OUTPUTS))
    log.info("Klart: %s", display_path(target / PROTOKOLL_PDF))
    return result
