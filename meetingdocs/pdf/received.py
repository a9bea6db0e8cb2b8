"""Accessibility of the bilagor a committee receives from others.

A received PDF (or the PDF LibreOffice makes from a received Word file) is
read for what keeps the packet from PDF/UA-1 and PDF/A-2: no tags, fonts
that are not embedded, scanned pages (images without text). Missing /Lang
or title are noted too, but do not block: the packet sets its own language
and titles every part.

Where it can be done without loss, a font is embedded in the work copy: a
standard font (Helvetica/Arial, Times, Courier) with WinAnsiEncoding is
replaced by its metric-compatible Liberation font, but only when the width
of every character the file actually shows agrees. Positions of the text
therefore do not move; anything else is reported, never changed.

``review(plan)`` does both for a packet and logs one warning per finding;
``blocker_lines(reviews)`` lists, in Swedish, what keeps the packet from full
conformance (used by the conformance claims and ``--strikt``);
``write_report`` writes ``tillganglighet.txt``.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile

from .. import cache as cache_module
from ..cache import Cache
from ..errors import NotConformingError
from ..numbers import runs_text
from ..tools import poppler
from .fonts import _FALLBACK_DIRS as LIBERATION_DIRS

log = logging.getLogger(__name__)

REPORT_FILE = "tillganglighet.txt"
WIDTH_TOLERANCE = 1.0  # in 1/1000 em; Liberation's widths are Helvetica's to a rounding
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})

# A standard font (and the common names of its look-alikes) -> the Liberation font with its metrics.
_LIBERATION = {
    "Helvetica": "LiberationSans-Regular", "Helvetica-Bold": "LiberationSans-Bold",
    "Helvetica-Oblique": "LiberationSans-Italic", "Helvetica-BoldOblique": "LiberationSans-BoldItalic",
    "Times-Roman": "LiberationSerif-Regular", "Times-Bold": "LiberationSerif-Bold",
    "Times-Italic": "LiberationSerif-Italic", "Times-BoldItalic": "LiberationSerif-BoldItalic",
    "Courier": "LiberationMono-Regular", "Courier-Bold": "LiberationMono-Bold",
    "Courier-Oblique": "LiberationMono-Italic", "Courier-BoldOblique": "LiberationMono-BoldItalic",
}
_ALIASES = {
    "Arial": "Helvetica", "ArialMT": "Helvetica", "Arial,Bold": "Helvetica-Bold", "Arial-BoldMT": "Helvetica-Bold",
    "Arial,Italic": "Helvetica-Oblique", "Arial-ItalicMT": "Helvetica-Oblique",
    "Arial,BoldItalic": "Helvetica-BoldOblique", "Arial-BoldItalicMT": "Helvetica-BoldOblique",
    "TimesNewRoman": "Times-Roman", "TimesNewRomanPSMT": "Times-Roman", "TimesNewRoman,Bold": "Times-Bold",
    "TimesNewRomanPS-BoldMT": "Times-Bold", "TimesNewRoman,Italic": "Times-Italic",
    "TimesNewRomanPS-ItalicMT": "Times-Italic", "TimesNewRoman,BoldItalic": "Times-BoldItalic",
    "TimesNewRomanPS-BoldItalicMT": "Times-BoldItalic", "CourierNew": "Courier", "CourierNewPSMT": "Courier",
    "CourierNew,Bold": "Courier-Bold", "CourierNewPS-BoldMT": "Courier-Bold",
}

ASK_TAGGED = "en tillgänglig PDF (taggad, PDF/UA)"
ASK_FONTS = "en PDF med alla typsnitt inbäddade (till exempel PDF/A)"
ASK_TEXT = "originalet som text i stället för en inskannad bild (eller en taggad PDF med sökbar text)"


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One thing about a received PDF, in Swedish, with what to ask its sender for."""

    message: str
    ask: str = ""
    blocks: bool = True  # keeps the packet from claiming PDF/UA-1 and PDF/A-2

    def sentence(self) -> str:
        return f"{self.message} — be avsändaren om {self.ask}" if self.ask else self.message


@dataclass
class Review:
    """What was found in (and done to) one received bilaga."""

    label: str  # "Bilaga 2 till ärende 5 (fil revisionsrapport.pdf)"
    findings: list[Finding] = field(default_factory=list)
    embedded: list[str] = field(default_factory=list)  # fonts embedded by us, by their original name

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocks]


def label(item_number: int, attachment_number: int, file_name: str) -> str:
    return f"Bilaga {attachment_number} till ärende {item_number} (fil {file_name})"


def inspect_pdf(path: Path) -> list[Finding]:
    """Everything about ``path`` that a screen reader or an archive will trip over."""
    with pikepdf.open(path) as pdf:
        findings = []
        if not is_tagged(pdf):
            findings.append(Finding("saknar taggar (skärmläsare kan inte följa texten)", ASK_TAGGED))
        missing = unembedded_fonts(pdf)
        if missing:
            findings.append(_fonts_finding(missing))
        scanned = scanned_pages(pdf, path)
        if scanned:
            findings.append(_scanned_finding(scanned))
        findings.extend(_metadata_notes(pdf))
    return findings


def _fonts_finding(names: list[str]) -> Finding:
    if len(names) == 1:
        return Finding(f"typsnittet {names[0]} är inte inbäddat", ASK_FONTS)
    listed = ", ".join(names[:-1]) + f" och {names[-1]}"
    return Finding(f"typsnitten {listed} är inte inbäddade", ASK_FONTS)


def _scanned_finding(pages: list[int]) -> Finding:
    if len(pages) == 1:
        return Finding(f"sida {pages[0]} är en inskannad bild utan text", ASK_TEXT)
    return Finding(f"sidorna {runs_text(pages)} är inskannade bilder utan text", ASK_TEXT)


def _metadata_notes(pdf: pikepdf.Pdf) -> list[Finding]:
    """Missing language or title: noted, not blocking (the packet sets both for its parts)."""
    notes = []
    if not str(pdf.Root.get("/Lang", "")).strip():
        notes.append(Finding("anger inget språk (/Lang)", blocks=False))
    if not str(pdf.docinfo.get("/Title", "")).strip():
        notes.append(Finding("har ingen titel i dokumentegenskaperna", blocks=False))
    return notes


# ------------------------------------------------------------------ tags


def is_tagged(pdf: pikepdf.Pdf) -> bool:
    """A structure tree with content, and /MarkInfo saying the content is marked."""
    tree = pdf.Root.get("/StructTreeRoot")
    mark_info = pdf.Root.get("/MarkInfo")
    marked = isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked", False))
    if not isinstance(tree, pikepdf.Dictionary) or not marked:
        return False
    kids = tree.get("/K")
    if isinstance(kids, pikepdf.Array):
        return len(kids) > 0
    return isinstance(kids, pikepdf.Dictionary)


# ------------------------------------------------------- content and fonts


@dataclass(frozen=True)
class Content:
    """A content stream (or a page's contents) with the resources it draws with."""

    page: int  # 1-based page it belongs to
    owner: pikepdf.Object  # a page, a form XObject, a Type3 glyph procedure or an appearance stream
    resources: pikepdf.Dictionary


def contents(pdf: pikepdf.Pdf) -> Iterator[Content]:
    """Every content stream of the file: pages, forms, Type3 glyphs and annotation appearances."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        resources = _dictionary(page.obj.get("/Resources"))
        yield Content(number, page.obj, resources)
        yield from _nested(number, resources, seen)
        for annotation in _array(page.obj.get("/Annots")):
            for stream in _appearance_streams(annotation):
                yield from _stream(number, stream, seen)


def _stream(page: int, stream: pikepdf.Object, seen: set) -> Iterator[Content]:
    if not isinstance(stream, pikepdf.Stream) or not _first_visit(stream, seen):
        return
    resources = _dictionary(stream.get("/Resources"))
    yield Content(page, stream, resources)
    yield from _nested(page, resources, seen)


def _nested(page: int, resources: pikepdf.Dictionary, seen: set) -> Iterator[Content]:
    """Form XObjects and Type3 glyph procedures reachable from ``resources``."""
    for xobject in _dictionary(resources.get("/XObject")).values():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
            yield from _stream(page, xobject, seen)
    for font in _dictionary(resources.get("/Font")).values():
        if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type3" and _first_visit(font, seen):
            glyph_resources = _dictionary(font.get("/Resources"))
            for procedure in _dictionary(font.get("/CharProcs")).values():
                if isinstance(procedure, pikepdf.Stream):
                    yield Content(page, procedure, glyph_resources)
            yield from _nested(page, glyph_resources, seen)


def _appearance_streams(annotation: pikepdf.Object) -> Iterator[pikepdf.Object]:
    appearance = _dictionary(annotation.get("/AP")) if isinstance(annotation, pikepdf.Dictionary) else {}
    for state in appearance.values() if appearance else ():
        if isinstance(state, pikepdf.Stream):
            yield state
        elif isinstance(state, pikepdf.Dictionary):
            yield from (s for s in state.values() if isinstance(s, pikepdf.Stream))


def _first_visit(obj: pikepdf.Object, seen: set) -> bool:
    key = obj.objgen if obj.is_indirect else ("direct", id(obj))
    if key in seen:
        return False
    seen.add(key)
    return True


def _dictionary(obj) -> pikepdf.Dictionary:
    return obj if isinstance(obj, pikepdf.Dictionary) else pikepdf.Dictionary()


def _array(obj) -> pikepdf.Array:
    return obj if isinstance(obj, pikepdf.Array) else pikepdf.Array()


def font_name(font: pikepdf.Dictionary) -> str:
    """The font's name as a person knows it: 'Helvetica', without a subset prefix."""
    name = str(font.get("/BaseFont", font.get("/Name", "okänt typsnitt"))).lstrip("/")
    prefix, plus, rest = name.partition("+")
    return rest if plus and len(prefix) == 6 and prefix.isupper() else name


def is_embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are content streams of the file itself
    if font.get("/Subtype") == "/Type0":
        descendants = _array(font.get("/DescendantFonts"))
        return all(is_embedded(d) for d in descendants if isinstance(d, pikepdf.Dictionary))
    descriptor = _dictionary(font.get("/FontDescriptor"))
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def fonts_of(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every font any content stream of the file can draw with (each once)."""
    seen: set = set()
    for content in contents(pdf):
        for font in _dictionary(content.resources.get("/Font")).values():
            if isinstance(font, pikepdf.Dictionary) and _first_visit(font, seen):
                yield font


def unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    return sorted({font_name(font) for font in fonts_of(pdf) if not is_embedded(font)})


# ---------------------------------------------------------------- scanned


def scanned_pages(pdf: pikepdf.Pdf, path: Path) -> list[int]:
    """Pages with an image and no text that poppler can extract (1-based)."""
    texts = poppler.pdftotext(path).split("\f")
    imaged = _pages_with_images(pdf)
    return [n for n in range(1, len(pdf.pages) + 1)
            if n in imaged and not (texts[n - 1].strip() if n - 1 < len(texts) else "")]


def _pages_with_images(pdf: pikepdf.Pdf) -> set[int]:
    pages = set()
    for content in contents(pdf):
        images = [x for x in _dictionary(content.resources.get("/XObject")).values()
                  if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Image"]
        if images or _has_inline_image(content.owner):
            pages.add(content.page)
    return pages


def _has_inline_image(owner: pikepdf.Object) -> bool:
    try:
        return any(isinstance(op, pikepdf.ContentStreamInlineImage) for op in pikepdf.parse_content_stream(owner))
    except pikepdf.PdfError:
        return False


# ------------------------------------------------------------ embed fonts


def embed_standard_fonts(path: Path) -> list[str]:
    """Embed, in place, the standard fonts whose Liberation twin has the same widths; their names."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        used = used_codes(pdf)
        if used is None:
            return []
        replaced = []
        for font in list(fonts_of(pdf)):
            twin = _liberation_twin(font)
            if twin is not None and _same_widths(font, twin, used.get(font.objgen, set())):
                replaced.append(font_name(font))
                _embed(pdf, font, twin)
        if replaced:
            pdf.save(path)
    return sorted(set(replaced))


def used_codes(pdf: pikepdf.Pdf) -> dict[tuple[int, int], set[int]] | None:
    """Character codes each (indirect) font shows; None when that cannot be told for certain."""
    used: dict[tuple[int, int], set[int]] = {}
    for content in contents(pdf):
        fonts = _dictionary(content.resources.get("/Font"))
        try:
            operations = pikepdf.parse_content_stream(content.owner)
        except pikepdf.PdfError:
            return None
        if not _collect_codes(operations, fonts, used):
            return None
    return used


def _collect_codes(operations, fonts: pikepdf.Dictionary, used: dict) -> bool:
    stack: list[pikepdf.Object | None] = []
    current = None
    for operation in operations:
        if isinstance(operation, pikepdf.ContentStreamInlineImage):
            continue
        operator = str(operation.operator)
        if operator == "q":
            stack.append(current)
        elif operator == "Q" and stack:
            current = stack.pop()
        elif operator == "Tf" and operation.operands:
            current = fonts.get(operation.operands[0])
        elif operator in TEXT_SHOWING:
            if not isinstance(current, pikepdf.Dictionary) or not current.is_indirect:
                return False  # text drawn with a font set elsewhere: do not touch anything
            used.setdefault(current.objgen, set()).update(_shown_bytes(operation.operands))
    return True


def _shown_bytes(operands) -> bytes:
    shown = b""
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            shown += bytes(operand)
        elif isinstance(operand, pikepdf.Array):
            shown += _shown_bytes(list(operand))
    return shown


@dataclass(frozen=True)
class Twin:
    standard: str  # "Helvetica"
    file: Path  # the Liberation TrueType file


def _liberation_twin(font: pikepdf.Dictionary) -> Twin | None:
    """The Liberation font to embed for a simple, WinAnsi-encoded, unembedded standard font."""
    if not font.is_indirect or is_embedded(font) or font.get("/Subtype") not in ("/Type1", "/TrueType"):
        return None
    if font.get("/Encoding") != "/WinAnsiEncoding":
        return None  # another or a custom encoding: codes may not mean what WinAnsi says
    name = font_name(font)
    standard = _ALIASES.get(name, name)
    twin = _LIBERATION.get(standard)
    file = _liberation_file(twin) if twin else None
    return Twin(standard, file) if file else None


def _liberation_file(name: str) -> Path | None:
    return next((d / f"{name}.ttf" for d in LIBERATION_DIRS if (d / f"{name}.ttf").is_file()), None)


def _same_widths(font: pikepdf.Dictionary, twin: Twin, codes: set[int]) -> bool:
    """Every shown character as wide in the Liberation font as the file says (or the standard metrics say)."""
    metrics = _truetype(twin.file)
    for code in codes:
        unicode = _winansi(code)
        mine = metrics.charWidths.get(unicode) if unicode is not None else None
        if mine is None or abs(mine - _declared_width(font, twin.standard, code)) > WIDTH_TOLERANCE:
            log.debug("%s: code %d is %s wide in %s", font_name(font), code, mine, twin.file.name)
            return False
    return True


def _declared_width(font: pikepdf.Dictionary, standard: str, code: int) -> float:
    widths = font.get("/Widths")
    first = int(font.get("/FirstChar", 0))
    if isinstance(widths, pikepdf.Array) and first <= code < first + len(widths):
        return float(widths[code - first])
    return float(pdfmetrics.getFont(standard).widths[code])


def _winansi(code: int) -> int | None:
    try:
        return ord(bytes([code]).decode("cp1252"))
    except UnicodeDecodeError:
        return None


_truetype_cache: dict[Path, TTFontFile] = {}


def _truetype(file: Path) -> TTFontFile:
    if file not in _truetype_cache:
        _truetype_cache[file] = TTFontFile(str(file))
    return _truetype_cache[file]


def _embed(pdf: pikepdf.Pdf, font: pikepdf.Dictionary, twin: Twin) -> None:
    """Turn ``font`` into the embedded TrueType Liberation font, keeping its encoding and widths."""
    metrics = _truetype(twin.file)
    data = twin.file.read_bytes()
    widths = [_declared_width(font, twin.standard, code) for code in range(32, 256)]
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + metrics.name.decode("ascii")),
        Flags=_flags(metrics.flags), FontBBox=[round(v) for v in metrics.bbox],
        ItalicAngle=metrics.italicAngle, Ascent=round(metrics.ascent), Descent=round(metrics.descent),
        CapHeight=round(metrics.capHeight), StemV=metrics.stemV,
        FontFile2=pdf.make_stream(data, Length1=len(data)),
    )
    font.Subtype = pikepdf.Name.TrueType
    font.BaseFont = descriptor.FontName
    font.FirstChar = 32
    font.LastChar = 255
    font.Widths = pdf.make_indirect(pikepdf.Array([round(w, 3) for w in widths]))
    font.FontDescriptor = pdf.make_indirect(descriptor)


def _flags(truetype_flags: int) -> int:
    """Descriptor flags: reportlab's, with symbolic (4) swapped for nonsymbolic (32) — WinAnsi is Latin text."""
    return (truetype_flags & ~4) | 32


# ------------------------------------------------------------ the packet


def received_documents(plan) -> Iterator[tuple[str, Path]]:
    """(label, work copy) of every received bilaga of a packet plan (meetingdocs.packet.Plan)."""
    for item, docs in plan.cases:
        for doc in docs:
            if doc.received is not None and doc.pdf is not None:
                yield label(item.number, doc.received.number, doc.received.path.name), doc.pdf


REVIEW_KIND = "granskning"  # in the build cache: a received PDF after review, with what was found


def review(plan, cache: Cache | None = None) -> list[Review]:
    """Embed what can be embedded without loss, then inspect; one warning per blocking finding.

    A PDF reviewed before (the same bytes, the same code) is taken from ``cache`` with what was found then."""
    reviews = []
    for name, pdf in received_documents(plan):
        result = _reviewed(name, pdf, cache or Cache(None))
        for font in result.embedded:
            log.info("%s: typsnittet %s bäddades in (Liberation, samma teckenbredder)", name, font)
        for finding in result.findings:
            (log.warning if finding.blocks else log.debug)("%s: %s", name, finding.sentence())
        reviews.append(result)
    return reviews


def _reviewed(name: str, pdf: Path, cache: Cache) -> Review:
    key = cache_module.key(REVIEW_KIND, cache_module.file_digest(pdf), cache_module.code_version())
    known = cache.fetch_file(REVIEW_KIND, key, pdf)
    if known is not None:
        return Review(name, [Finding(**finding) for finding in known["findings"]], known["embedded"])
    result = Review(name, embedded=embed_standard_fonts(pdf))
    result.findings = inspect_pdf(pdf)
    cache.store_file(REVIEW_KIND, key, pdf, {"embedded": result.embedded,
                                              "findings": [dataclasses.asdict(f) for f in result.findings]})
    return result


def blocker_lines(reviews: list[Review]) -> list[str]:
    return [f"{r.label}: {f.sentence()}" for r in reviews for f in r.blocking]


def require_conformance(reviews: list[Review], packet_problems: list[str] = ()) -> None:
    """For a strict build (--strikt): refuse, naming every bilaga and what to ask for, when any blocks, and
    every problem the packet's own checks found (``packet_problems``, from conformance.finalize)."""
    lines = blocker_lines(reviews) + [f"Kallelsen: {problem}" for problem in packet_problems]
    if lines:
        listed = "\n".join(f"  - {line}" for line in lines)
        raise NotConformingError(
            "Kallelsen kan inte bli tillgänglig och arkivbeständig (PDF/UA-1 och PDF/A-2) och publicerades "
            f"inte, eftersom bygget kördes med --strikt:\n{listed}\n"
            "Byt ut bilagorna mot de filer som nämns ovan och åtgärda det som sägs om kallelsen, eller bygg utan "
            "--strikt för att publicera ändå "
            "(då står bristerna i tillganglighet.txt). Inget har ändrats i packets/.")


def report_text(reviews: list[Review], packet_problems: list[str] = ()) -> str:
    """tillganglighet.txt: conformance, or what keeps the packet from it, bilaga by bilaga, then what the
    packet's own checks found (``packet_problems``)."""
    blocking = [r for r in reviews if r.blocking]
    if not reviews:
        lines = ["Kallelsen uppfyller kraven på tillgänglighet för bilagor från andra: den har inga mottagna "
                 "PDF- eller Word-bilagor."]
    elif not blocking:
        lines = ["Kallelsen uppfyller kraven på tillgänglighet för de mottagna bilagorna: alla är taggade, "
                 "har inbäddade typsnitt och innehåller text, inte inskannade bilder."]
    else:
        lines = ["Kallelsen uppfyller inte helt kraven på tillgänglighet (PDF/UA-1) och arkivering (PDF/A-2),",
                 "eftersom följande mottagna bilagor brister. Be avsändarna om nya filer enligt nedan.", ""]
        for r in blocking:
            lines.append(f"{r.label}:")
            lines.extend(f"  - {f.message}; be avsändaren om {f.ask}" for f in r.blocking)
    embedded = [f"{r.label}: typsnittet {font}" for r in reviews for font in r.embedded]
    if embedded:
        lines += ["", "Inbäddade vid bygget (Liberation-typsnitt med samma teckenbredder, texten flyttas inte):"]
        lines.extend(f"  - {line}" for line in embedded)
    if packet_problems:
        lines += ["", "Kallelsen märks ändå inte PDF/UA-1 och PDF/A-2, eftersom kontrollen av den färdiga filen fann:"]
        lines.extend(f"  - {problem}" for problem in packet_problems)
    return "\n".join(lines) + "\n"


def write_report(reviews: list[Review], path: Path, packet_problems: list[str] = ()) -> Path:
    path.write_text(report_text(reviews, packet_problems), encoding="utf-8")
    return path
