"""The last step for every published PDF: archival metadata, and claims only where they hold.

``finalize`` writes what PDF/UA-1 and PDF/A-2 ask of a document as a whole:
XMP metadata that says what the Info dictionary says (title, language,
author, creator tool, producer, dates), /Lang, /MarkInfo, DisplayDocTitle,
an sRGB OutputIntent, the structure tab order on every page, a print flag
and a description on every link, PDF 1.7 and a trailer /ID made from the
file's content (so a rebuilt document is byte for byte the same).

The claims, ``pdfuaid:part 1`` and ``pdfaid:part 2`` with its conformance
level, are written only when our own checks pass: the document is tagged,
every font is embedded, it is not encrypted, it has no JavaScript or other
active content, every annotation prints and every link is described, and
the caller knows of nothing else that stands in the way (``blockers``, for
instance received bilagor that are not accessible). When a check fails the
claims are left out and the reasons come back in the report, in Swedish.
The PDF/A level claimed is B (the visual appearance is preserved); U would
also promise a Unicode value for every character shown, which nothing here
checks yet, so it is not claimed.
"""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf
from lxml import etree
from pikepdf import Dictionary, Name, String
from pikepdf.models.metadata import decode_pdf_date

from . import sanitize
from .received import is_tagged, unembedded_fonts
from .stamp import pages_text
from .structure import HIDING_FLAGS, PRINT_FLAG, drop_empty_elements, identify_notes, make_links_accessible

log = logging.getLogger(__name__)

LANGUAGE = "sv-SE"
PDF_VERSION = "1.7"
CREATOR_TOOL = "meetingdocs"
SRGB = "sRGB IEC61966-2.1"
# Level B: level U would need every shown character code checked against its font's Unicode map.
PDFA_LEVEL = "2B"

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = '\n<?xpacket end="w"?>'


@dataclass(frozen=True)
class Report:
    """What ``finalize`` claimed for one file, and why it claimed no more."""

    pdfua: bool  # pdfuaid:part 1 written
    pdfa: str | None  # "2B" or "2U" when pdfaid is written, else None
    reasons: list[str] = field(default_factory=list)  # Swedish, one line each; empty when both are claimed

    @property
    def claims(self) -> list[str]:
        return (["PDF/UA-1"] if self.pdfua else []) + ([f"PDF/A-{self.pdfa}"] if self.pdfa else [])


def finalize(pdf_in: Path, pdf_out: Path, *, title: str | None = None, blockers: list[str] = ()) -> Report:
    """Write ``pdf_in`` to ``pdf_out`` (may be the same file) with metadata and the claims that hold.

    ``title`` replaces the document's /Title; without it the title it has is kept.
    ``blockers`` are reasons, known to the caller, that keep the claims off.
    """
    active = sanitize.find_active_content(Path(pdf_in))
    with pikepdf.open(pdf_in, allow_overwriting_input=True) as pdf:
        if title:
            pdf.docinfo[Name.Title] = String(title)
        prepare(pdf)
        reasons = [*blockers, *problems(pdf, active)]
        report = Report(pdfua=not reasons, pdfa=None if reasons else PDFA_LEVEL, reasons=reasons)
        write_xmp(pdf, report)
        if "/ID" in pdf.trailer:  # qpdf keeps an existing first ID (LibreOffice's: new every run); make both anew
            del pdf.trailer.ID
        pdf.save(pdf_out, force_version=PDF_VERSION, deterministic_id=True)
    log.debug("%s: %s", Path(pdf_out).name, ", ".join(report.claims) or "; ".join(report.reasons))
    return report


# ------------------------------------------------------------------ prepare


def prepare(pdf: pikepdf.Pdf) -> None:
    """What every published PDF gets, claims or not."""
    root = pdf.Root
    root.Lang = String(LANGUAGE)
    preferences = root.get("/ViewerPreferences", Dictionary())
    preferences.DisplayDocTitle = True
    root.ViewerPreferences = preferences
    if _has_structure_tree(pdf):
        root.MarkInfo = Dictionary(Marked=True)
    for page in pdf.pages:
        page.obj.Tabs = Name.S  # annotations in the order of the structure (of the content when untagged)
    # Ours replaces LibreOffice's PDF/A intent, whose profile carries the time of the run (builds must repeat).
    others = [intent for intent in root.get("/OutputIntents", []) if intent.get("/S") != "/GTS_PDFA1"]
    root.OutputIntents = pikepdf.Array([*others, _srgb_intent(pdf)])
    if "/Creator" not in pdf.docinfo:
        pdf.docinfo[Name.Creator] = String(CREATOR_TOOL)
    if "/Producer" not in pdf.docinfo:
        pdf.docinfo[Name.Producer] = String(f"{CREATOR_TOOL} med pikepdf {pikepdf.__version__}")
    make_links_accessible(pdf)
    drop_empty_elements(pdf)
    identify_notes(pdf)


def _srgb_intent(pdf: pikepdf.Pdf) -> Dictionary:
    profile = pdf.make_stream(srgb_profile())
    profile.N = 3
    return pdf.make_indirect(Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=String(SRGB),
                                        Info=String(SRGB), RegistryName=String("http://www.color.org"),
                                        DestOutputProfile=profile))


@functools.lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """Pillow's (LittleCMS's) sRGB ICC profile, with a fixed creation date so that builds repeat."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = bytes.fromhex("07d0 0001 0001 0000 0000 0000")  # 2000-01-01 00:00:00 (ICC dateTimeNumber)
    data[84:100] = bytes(16)  # profile ID: an MD5 over the header incl. the date; zero means "not computed"
    return bytes(data)


# ------------------------------------------------------------------- checks


def problems(pdf: pikepdf.Pdf, active: list[sanitize.ActiveContent]) -> list[str]:
    """Why the document may not claim PDF/UA-1 or PDF/A-2, in Swedish; empty when nothing stands in the way."""
    found = []
    if pdf.is_encrypted:
        found.append("filen är krypterad")
    if not str(pdf.docinfo.get("/Title", "")).strip():
        found.append("dokumentet saknar titel")
    if not is_tagged(pdf):
        found.append("dokumentet saknar taggar (strukturträd)")
    found += [f"typsnittet {name} är inte inbäddat" for name in unembedded_fonts(pdf)]
    if active:
        found.append(f"dokumentet innehåller {sanitize.describe(active)}")
    found += _annotation_problems(pdf)
    return found


def _has_structure_tree(pdf: pikepdf.Pdf) -> bool:
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return False
    kids = tree.get("/K")
    return kids is not None and (not isinstance(kids, pikepdf.Array) or len(kids) > 0)


def _annotation_problems(pdf: pikepdf.Pdf) -> list[str]:
    hidden, undescribed, untabbed = [], [], []
    for number, page in enumerate(pdf.pages, start=1):
        annots = [a for a in page.obj.get("/Annots", []) if a.get("/Subtype") != "/Popup"]
        if any(not int(a.get("/F", 0)) & PRINT_FLAG or int(a.get("/F", 0)) & HIDING_FLAGS for a in annots):
            hidden.append(number)
        if any(a.get("/Subtype") == "/Link" and not str(a.get("/Contents", "")).strip() for a in annots):
            undescribed.append(number)
        if annots and page.obj.get("/Tabs") != "/S":
            untabbed.append(number)
    return [f"{what} på {pages_text(numbers)}" for what, numbers in (
        ("anteckningar som inte skrivs ut eller är dolda", hidden),
        ("länkar utan beskrivning", undescribed),
        ("ingen tabbordning efter strukturen", untabbed)) if numbers]


# ---------------------------------------------------------------------- xmp


def write_xmp(pdf: pikepdf.Pdf, report: Report) -> None:
    """Replace the XMP metadata with one made from the Info dictionary and the claims in ``report``."""
    stream = pdf.make_stream(xmp_packet(pdf.docinfo, report))
    stream.Type = Name.Metadata
    stream.Subtype = Name.XML
    pdf.Root.Metadata = stream


def xmp_packet(info: pikepdf.Dictionary, report: Report) -> bytes:
    rdf = etree.Element(_q("rdf", "RDF"), nsmap={"rdf": NS["rdf"]})
    description = etree.SubElement(rdf, _q("rdf", "Description"), {_q("rdf", "about"): ""}, nsmap=NS)
    for prefix, name, value in _properties(info, report):
        _add_property(description, prefix, name, value)
    if report.pdfua and report.pdfa:
        description.append(_pdfuaid_extension_schema())
    meta = etree.Element(_q("x", "xmpmeta"), nsmap={"x": NS["x"]})
    meta.append(rdf)
    body = etree.tostring(meta, encoding="unicode", pretty_print=True)
    return (XPACKET_BEGIN + body + XPACKET_END).encode("utf-8")


def _properties(info: pikepdf.Dictionary, report: Report) -> Iterator[tuple[str, str, object]]:
    text = {key: str(info[key]) for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer")
            if key in info}
    yield "dc", "format", "application/pdf"
    yield "dc", "language", [LANGUAGE]
    for key, prefix, name, value in (
        ("/Title", "dc", "title", {"x-default": text.get("/Title")}),
        ("/Author", "dc", "creator", (text.get("/Author"),)),
        ("/Subject", "dc", "description", {"x-default": text.get("/Subject")}),
        ("/Keywords", "pdf", "Keywords", text.get("/Keywords")),
        ("/Creator", "xmp", "CreatorTool", text.get("/Creator")),
        ("/Producer", "pdf", "Producer", text.get("/Producer")),
    ):
        if key in text:
            yield prefix, name, value
    for key, name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        if key in info:
            yield "xmp", name, _xmp_date(str(info[key]))
    if report.pdfua:
        yield "pdfuaid", "part", "1"
    if report.pdfa:
        yield "pdfaid", "part", report.pdfa[0]
        yield "pdfaid", "conformance", report.pdfa[1]


def _add_property(parent: etree._Element, prefix: str, name: str, value: object) -> None:
    element = etree.SubElement(parent, _q(prefix, name))
    if isinstance(value, str):
        element.text = value
        return
    container = {dict: "Alt", list: "Bag", tuple: "Seq"}[type(value)]
    holder = etree.SubElement(element, _q("rdf", container))
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for language, item in items:
        li = etree.SubElement(holder, _q("rdf", "li"))
        li.text = item
        if language:
            li.set("{http://www.w3.org/XML/1998/namespace}lang", language)


def _xmp_date(pdf_date: str) -> str:
    try:
        return decode_pdf_date(pdf_date).isoformat()
    except ValueError:
        log.debug("unreadable PDF date %r", pdf_date)
        return datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc).isoformat()


def _pdfuaid_extension_schema() -> etree._Element:
    """PDF/A lets XMP hold only properties it knows or that are described: describe pdfuaid:part."""
    extension = etree.Element(_q("pdfaExtension", "schemas"))
    bag = etree.SubElement(extension, _q("rdf", "Bag"))
    schema = etree.SubElement(bag, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
    for name, value in (("schema", "PDF/UA Universal Accessibility Schema"), ("namespaceURI", NS["pdfuaid"]),
                        ("prefix", "pdfuaid")):
        etree.SubElement(schema, _q("pdfaSchema", name)).text = value
    properties = etree.SubElement(etree.SubElement(schema, _q("pdfaSchema", "property")), _q("rdf", "Seq"))
    prop = etree.SubElement(properties, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
    for name, value in (("name", "part"), ("valueType", "Integer"), ("category", "internal"),
                        ("description", "Indicates, which part of ISO 14289 standard is followed")):
        etree.SubElement(prop, _q("pdfaProperty", name)).text = value
    return extension


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"
