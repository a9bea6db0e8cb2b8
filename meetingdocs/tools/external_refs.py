"""Take out of a .docx or .odt everything that points outside the file.

LibreOffice fetches what a document links to while it converts it. With
LibreOffice 7.4, a linked image in a .docx (``<a:blip r:link=…>`` to a
relationship with ``TargetMode="External"``) or in an .odt
(``<draw:image xlink:href="http://…">``, a linked paragraph background, a
list bullet image, a linked object, the ``meta:template``) makes it request
that address during conversion: a tracking pixel in a bilaga, and a way to
probe the network the build runs in. ``tests/test_isolation.py`` counts the
requests with a server on 127.0.0.1.

``neutralise`` rewrites the copy in the work folder before conversion:

* .docx: every relationship that points outside the package (a URL, a
  drive letter, a UNC path, or ``TargetMode="External"``) is removed, with
  the markup that uses it: a linked picture goes (a picture that is linked
  *and* stored keeps its stored copy), and likewise a linked template,
  sub-document, OLE link, frame, mail-merge data source or altChunk.
  Fields that include other files (INCLUDEPICTURE, INCLUDETEXT, LINK,
  IMPORT, DDE, DDEAUTO) are unlinked: the result Word last showed stays as
  plain content, as Word's "unlink field" (Ctrl+Shift+F9) does.
* .odt: every ``xlink:href`` (in content.xml, styles.xml and meta.xml, also
  of embedded objects) that leaves the package is removed with its element
  or, for backgrounds and bullet images, the link alone.

Hyperlinks (``w:hyperlink``, HYPERLINK fields, ``text:a``) stay: they are
clickable in the PDF and LibreOffice never fetches them.

This is the first of three walls; the private LibreOffice profile blocks
linked content and sends any request to a closed port, and soffice runs
without network where the system allows it (see ``libreoffice.py``).
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lxml import etree

from meetingdocs.errors import quote

log = logging.getLogger(__name__)

PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",  # strict OOXML
)
VML_OFFICE = "urn:schemas-microsoft-com:office:office"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XLINK_ATTRIBUTES = tuple(f"{{http://www.w3.org/1999/xlink}}{name}" for name in ("href", "type", "show", "actuate"))

# Word fields whose instruction names another file to take content from.
INCLUDING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "IMPORT", "DDE", "DDEAUTO"})

# XML parts larger than this are left as they are (the other walls still
# hold); a .docx is a ZIP and may inflate to far more than its size.
MAX_PART_BYTES = 64 * 1024 * 1024

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_INTERNAL_SCHEMES = ("vnd.sun.star.package:", "vnd.sun.star.graphicobject:", "data:")
_FIELD_TARGET = re.compile(r'"([^"]*)"')

# What a broken or hostile file can make zipfile and lxml raise.
_INPUT_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                 zlib.error, OSError, ValueError, KeyError, etree.Error)

IMAGE = "en länkad bild"
OBJECT = "ett länkat objekt"

# .docx relationship types (the last part of the Type URI) -> what the secretary would call it.
_DOCX_KINDS = {
    "image": IMAGE,
    "attachedTemplate": "en länkad mall",
    "subDocument": "ett underdokument",
    "oleObject": OBJECT,
    "package": OBJECT,
    "aFChunk": "infogat innehåll",
    "frame": "en länkad ram",
    "video": "en länkad film",
    "audio": "en länkad ljudfil",
    "media": "en länkad film eller ljudfil",
}

# .odt: elements that fill a draw:frame, and what they are.
_FRAME_CONTENT = {"image": IMAGE, "object": OBJECT, "object-ole": OBJECT, "floating-frame": "en inbäddad webbsida",
                  "plugin": OBJECT, "applet": OBJECT}
# .odt: elements whose link is only a picture; the element stays without it.
_ODT_PICTURES = frozenset({"background-image", "fill-image", "list-level-style-image"})
_ODT_HIDDEN = {"section-source": "ett länkat avsnitt", "template": "en länkad mall",
               "auto-reload": "en automatisk omladdning", "event-listener": "ett makro"}
_ODT_PARTS = frozenset({"content.xml", "styles.xml", "meta.xml"})


@dataclass(frozen=True)
class ExternalReference:
    """One thing a document pointed to outside itself, and that was taken out."""

    what: str  # Swedish, e.g. "en länkad bild"
    target: str  # the address as the document had it
    shown: bool  # whether the document showed it, so that the PDF lacks something

    def described(self) -> str:
        """E.g. 'en länkad bild från http://…'."""
        return f"{self.what} från {quote(self.target)}"

    def advice(self, paste_into: str = "dokumentet") -> str:
        thing = "bilden" if self.what == IMAGE else "innehållet"
        return f"klistra in {thing} i {paste_into} i stället"

    def lost(self) -> str:
        """E.g. 'en länkad bild från http://… togs inte med; klistra in bilden i dokumentet i stället'."""
        return f"{self.described()} togs inte med; {self.advice()}"


def neutralise(path: Path) -> list[ExternalReference]:
    """Remove from the .docx or .odt at ``path`` (in place) every reference to a resource outside it.

    Returns what was removed. A file that is not a readable ZIP is left
    alone (LibreOffice reports it, or repairs it behind the other two
    walls); so is a part that is not readable XML or larger than
    ``MAX_PART_BYTES``.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                changed, found = _DocxCleaner(archive).clean()
            elif "content.xml" in names:
                changed, found = _OdtCleaner(archive).clean()
            else:
                return []
        if changed:
            _rewrite(path, changed)
    except _INPUT_ERRORS as exc:
        log.debug("external references of %s not checked: %s", path, exc)
        return []
    for ref in found:
        log.debug("%s: removed %s -> %s", path.name, ref.what, ref.target)
    return found


def neutralise_generated(documents: Iterable[tuple[Path, str]]) -> None:
    """Neutralise documents made from our templates (path, template name); one warning per reference."""
    found: dict[ExternalReference, list[str]] = {}
    for path, template in documents:
        for ref in neutralise(path):
            if ref.shown:
                found.setdefault(ref, []).append(template)
    for ref, templates in found.items():
        log.warning("%s", template_warning(ref, templates))


def template_warning(ref: ExternalReference, templates: list[str]) -> str:
    """The warning for a reference found in documents made with ``templates`` (names in templates/)."""
    names = list(dict.fromkeys(templates))
    which = f"Mallen {names[0]}" if len(names) == 1 else f"Mallarna {', '.join(names)}"
    advice = ref.advice("mallen")
    return f"{which} i templates/ har {ref.described()}; den togs inte med. {advice[0].upper()}{advice[1:]}."


# ------------------------------------------------------------------ shared


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _leaves_package(target: str) -> bool:
    """Whether a link target points outside the ZIP: a URL, an absolute or a climbing path."""
    target = target.strip()
    if not target or target.startswith("#"):
        return False
    if _SCHEME.match(target):
        return not target.lower().startswith(_INTERNAL_SCHEMES)
    if target.startswith(("/", "\\")):
        return True
    return posixpath.normpath(target.replace("\\", "/")).startswith("..")


def _remove(element) -> bool:
    """Take ``element`` out of its tree; False if it was taken out before."""
    parent = element.getparent()
    if parent is None:
        return False
    parent.remove(element)
    return True


def _ancestor(element, names: frozenset[str]):
    for candidate in element.iterancestors():
        if _local(candidate) in names:
            return candidate
    return None


class _Cleaner:
    """Reads the parts of one package and remembers which ones it changed."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.infos = {info.filename: info for info in archive.infolist()}
        self.roots: dict[str, etree._Element] = {}
        self.changed: set[str] = set()
        self.found: list[ExternalReference] = []

    def read(self, name: str) -> bytes | None:
        info = self.infos.get(name)
        if info is None or info.file_size > MAX_PART_BYTES:
            if info is not None:
                log.debug("%s is %d bytes; its links are not checked", name, info.file_size)
            return None
        return self.archive.read(info)

    def root(self, name: str, data: bytes | None = None):
        """The parsed part, or None if it is missing, too large or not XML."""
        if name not in self.roots:
            data = self.read(name) if data is None else data
            try:
                self.roots[name] = etree.fromstring(data, _parser()) if data else None
            except etree.Error as exc:
                log.debug("%s is not readable XML (%s); its links are not checked", name, exc)
                self.roots[name] = None
        return self.roots[name]

    def result(self) -> tuple[dict[str, bytes], list[ExternalReference]]:
        changed = {}
        for name in self.changed:
            tree = self.roots[name].getroottree()
            changed[name] = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                                           standalone=tree.docinfo.standalone)
        return changed, self.found


# ------------------------------------------------------------------- .docx


def _source_part(rels_name: str) -> str | None:
    """'word/_rels/document.xml.rels' -> 'word/document.xml'; the package's own rels -> None."""
    folder, _, file = rels_name.rpartition("/")
    if not folder.endswith("_rels") or not file.endswith(".rels"):
        return None
    base = folder[: -len("_rels")]
    name = file[: -len(".rels")]
    return f"{base}{name}" if name else None


def _leaves_docx(rels_name: str, target: str) -> bool:
    """Whether an internal-looking relationship target still points outside the package.

    Internal targets are relative to the folder of the part that has the
    relationships ('../customXml/item1.xml' from word/) or start with '/'.
    """
    target = target.strip().replace("\\", "/")
    if target.startswith("//") or _SCHEME.match(target):
        return True
    if target.startswith("/"):
        return False
    folder = posixpath.dirname(_source_part(rels_name) or "")
    return posixpath.normpath(posixpath.join(folder, target)).startswith("..")


def _rel_kind(rel_type: str) -> str:
    return _DOCX_KINDS.get(rel_type.rstrip("/").rpartition("/")[2], "en länk")


def _is_reference_attribute(key: str) -> bool:
    return any(key.startswith(f"{{{ns}}}") for ns in OFFICE_RELS) or key == f"{{{VML_OFFICE}}}relid"


class _DocxCleaner(_Cleaner):
    def clean(self) -> tuple[dict[str, bytes], list[ExternalReference]]:
        for name in sorted(self.infos):
            if name.endswith(".rels"):
                self._clean_relationships(name)
        for name in sorted(self.infos):
            if name.startswith("word/") and name.endswith(".xml"):
                self._clean_part(name)
        return self.result()

    # relationships

    def _clean_relationships(self, rels_name: str) -> None:
        rels = self.root(rels_name)
        if rels is None:
            return
        removed: dict[str, tuple[str, str]] = {}
        for rel in list(rels):
            if _local(rel) != "Relationship":
                continue
            rel_type, target = rel.get("Type", ""), rel.get("Target", "")
            external = rel.get("TargetMode", "").lower() == "external" or _leaves_docx(rels_name, target)
            if external and not rel_type.endswith("/hyperlink"):
                removed[rel.get("Id", "")] = (rel_type, target)
                rels.remove(rel)
        if not removed:
            return
        self.changed.add(rels_name)
        source = _source_part(rels_name)
        root = self.root(source) if source in self.infos else None
        used = self._drop_uses(source, root, removed) if root is not None else set()
        for rel_id, (rel_type, target) in removed.items():
            if rel_id not in used:
                self.found.append(ExternalReference(_rel_kind(rel_type), target, shown=False))

    def _drop_uses(self, source: str, root, removed: dict[str, tuple[str, str]]) -> set[str]:
        """Remove the markup in ``source`` that uses a removed relationship; return the ids used."""
        uses = [(element, key, element.get(key)) for element in root.iter()
                for key in element.attrib if _is_reference_attribute(key) and element.get(key) in removed]
        for element, key, rel_id in uses:
            rel_type, target = removed[rel_id]
            self.found.append(self._drop_use(element, key, _rel_kind(rel_type), target))
        if uses:
            self.changed.add(source)
        return {rel_id for _, _, rel_id in uses}

    @staticmethod
    def _drop_use(element, key: str, what: str, target: str) -> ExternalReference:
        local = _local(element)
        if local == "blip" and any(k != key and _is_reference_attribute(k) for k in element.attrib):
            # Linked and stored ("link to file" + "save with document"): keep the stored copy.
            del element.attrib[key]
            return ExternalReference(what, target, shown=False)
        if local in ("blip", "imagedata", "fill"):
            container = _ancestor(element, frozenset({"drawing", "pict", "object"}))
            if container is None:
                container = element.getparent() if local == "blip" else element
            _remove(container)
            return ExternalReference(IMAGE, target, shown=True)
        _remove(element)
        hidden = local in ("attachedTemplate", "OLEObject", "dataSource", "headerSource", "recipientData",
                           "sourceFileName", "odso")
        return ExternalReference(what, target, shown=not hidden)

    # fields and VML addresses in the text

    def _clean_part(self, name: str) -> None:
        data = self.read(name)
        if not data or not any(marker in data for marker in (b"instrText", b"fldSimple", b"href", b"src=")):
            return
        root = self.root(name, data)
        if root is None:
            return
        found = _unlink_simple_fields(root) + _unlink_complex_fields(root) + _drop_vml_addresses(root)
        if found:
            self.found.extend(found)
            self.changed.add(name)


def _field_reference(instruction: str) -> ExternalReference | None:
    words = instruction.split()
    if not words or words[0].upper() not in INCLUDING_FIELDS:
        return None
    quoted = _FIELD_TARGET.search(instruction)
    target = quoted.group(1) if quoted else (words[1] if len(words) > 1 else "")
    what = IMAGE if words[0].upper() == "INCLUDEPICTURE" else f"ett {words[0].upper()}-fält"
    # The field's last result stays in the document: nothing visible is lost.
    return ExternalReference(what, target, shown=False)


def _attribute(element, local: str) -> str | None:
    for key, value in element.attrib.items():
        if key.rpartition("}")[2] == local:
            return value
    return None


def _unlink_simple_fields(root) -> list[ExternalReference]:
    found = []
    for field in [e for e in root.iter() if _local(e) == "fldSimple"]:
        ref = _field_reference(_attribute(field, "instr") or "")
        parent = field.getparent()
        if ref is None or parent is None:
            continue
        position = parent.index(field)
        for offset, child in enumerate(list(field)):
            parent.insert(position + offset, child)
        parent.remove(field)
        found.append(ref)
    return found


def _complex_fields(root) -> list[dict]:
    """Each complex field: its begin, separate and end runs and its own instruction."""
    fields, open_fields = [], []
    for run in root.iter():
        if _local(run) != "r":
            continue
        for child in run:
            local = _local(child)
            if local == "fldChar":
                kind = _attribute(child, "fldCharType")
                if kind == "begin":
                    open_fields.append({"begin": run, "separate": None, "instruction": ""})
                elif kind == "separate" and open_fields:
                    open_fields[-1]["separate"] = run
                elif kind == "end" and open_fields:
                    field = open_fields.pop()
                    field["end"] = run
                    fields.append(field)
            elif local in ("instrText", "delInstrText") and open_fields and open_fields[-1]["separate"] is None:
                open_fields[-1]["instruction"] += child.text or ""
    return fields


def _unlink_complex_fields(root) -> list[ExternalReference]:
    """Keep the result of each including field and drop its instruction and field marks."""
    fields = [(f, ref) for f in _complex_fields(root) if (ref := _field_reference(f["instruction"]))]
    if not fields:
        return []
    runs = [e for e in root.iter() if _local(e) == "r"]
    position = {run: i for i, run in enumerate(runs)}
    found = []
    for field, ref in fields:
        last = field["separate"] if field["separate"] is not None else field["end"]
        if field["begin"] not in position or last not in position:
            continue
        for run in runs[position[field["begin"]]: position[last] + 1]:
            _remove(run)
        if field["separate"] is not None:
            _drop_field_end(field["end"])
        found.append(ref)
    return found


def _drop_field_end(run) -> None:
    for child in list(run):
        if _local(child) == "fldChar":
            run.remove(child)
    if all(_local(child) == "rPr" for child in run):
        _remove(run)


def _drop_vml_addresses(root) -> list[ExternalReference]:
    """VML pictures can name their file in o:href or src as well."""
    found = []
    for element in [e for e in root.iter() if _local(e) in ("imagedata", "fill", "image")]:
        for key in [k for k in element.attrib if k in (f"{{{VML_OFFICE}}}href", "src")]:
            target = element.get(key)
            if not _leaves_package(target):
                continue
            del element.attrib[key]
            stored = any(_is_reference_attribute(k) for k in element.attrib)
            if not stored and _local(element) == "imagedata":
                _remove(_ancestor(element, frozenset({"pict", "object"})) or element)
            found.append(ExternalReference(IMAGE, target, shown=not stored))
    return found


# -------------------------------------------------------------------- .odt


class _OdtCleaner(_Cleaner):
    def clean(self) -> tuple[dict[str, bytes], list[ExternalReference]]:
        for name in sorted(self.infos):
            if name.rpartition("/")[2] in _ODT_PARTS:
                self._clean_part(name)
        return self.result()

    def _clean_part(self, name: str) -> None:
        data = self.read(name)
        if not data or b"href" not in data:
            return
        root = self.root(name, data)
        if root is None:
            return
        links = [e for e in root.iter() if isinstance(e.tag, str) and _local(e) != "a"
                 and _leaves_package(e.get(XLINK_HREF) or "")]
        for element in links:
            self.found.append(_drop_odt_link(element))
        if links:
            self.changed.add(name)


def _drop_odt_link(element) -> ExternalReference:
    local, target = _local(element), element.get(XLINK_HREF)
    parent = element.getparent()
    if local in _FRAME_CONTENT and parent is not None and _local(parent) == "frame":
        _remove(element)
        empty = not any(_local(child) in _FRAME_CONTENT or _local(child) == "text-box" for child in parent)
        if empty:
            _remove(parent)
        return ExternalReference(_FRAME_CONTENT[local], target, shown=empty)
    if local in _ODT_PICTURES:
        for key in XLINK_ATTRIBUTES:
            element.attrib.pop(key, None)
        return ExternalReference(IMAGE, target, shown=True)
    if local in _ODT_HIDDEN:
        _remove(element)
        return ExternalReference(_ODT_HIDDEN[local], target, shown=False)
    if local in _FRAME_CONTENT:
        _remove(element)
        return ExternalReference(_FRAME_CONTENT[local], target, shown=True)
    del element.attrib[XLINK_HREF]
    return ExternalReference("en länk", target, shown=True)


# ------------------------------------------------------------------ rewrite


def _fresh_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fresh = zipfile.ZipInfo(info.filename, info.date_time)
    fresh.compress_type = info.compress_type
    fresh.external_attr = info.external_attr
    return fresh


def _copy_entry(source: zipfile.ZipFile, target: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with source.open(info) as reader, \
            target.open(_fresh_info(info), "w", force_zip64=info.file_size > 0x7FFF0000) as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)


def _rewrite(path: Path, changed: dict[str, bytes]) -> None:
    """Write the package again with the changed parts, entry order and compression kept."""
    staged = path.with_name(path.name + ".ny")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(staged, "w") as target:
            for info in source.infolist():
                if info.filename in changed:
                    target.writestr(_fresh_info(info), changed[info.filename])
                elif info.file_size <= MAX_PART_BYTES:
                    target.writestr(_fresh_info(info), source.read(info))
                else:
                    _copy_entry(source, target, info)
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)
