"""Take active content out of PDFs that come from others.

A bilaga that the secretary received (a PDF, or a Word file that LibreOffice
turns into one) may carry more than pages: JavaScript, actions that run when
the file or a page is opened, links that start programs or open other files,
embedded files, multimedia and XFA forms. None of it belongs in a packet that
every member opens, so ``sanitize_pdf`` writes a copy without it and says
what it removed.

What stays: page content, form field appearances, bookmarks, internal links
(GoTo and destinations), the four standard page-turning named actions, and
links to web and e-mail addresses (URI actions with http, https or mailto).

The same rules drive ``find_active_content``, which scans every object of a
finished PDF without changing it: the second line of defence before a packet
is published.
"""

from __future__ import annotations

import enum
import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pikepdf
from pikepdf import Array, Name, ObjectType

from ..errors import OutputInvalidError

log = logging.getLogger(__name__)


class Kind(enum.Enum):
    """A kind of active content; the value is its plain Swedish name.

    The order is the order in the warning to the secretary.
    """

    JAVASCRIPT = "JavaScript"
    OPEN_ACTION = "en automatisk åtgärd vid öppning"
    ADDITIONAL_ACTIONS = "automatiska åtgärder kopplade till sidor eller formulärfält"
    LAUNCH = "åtgärder som startar program"
    FORM_ACTIONS = "formulärfunktioner som skickar eller hämtar uppgifter"
    LINKS_ELSEWHERE = "länkar som inte går till en webbsida eller e-postadress"
    MULTIMEDIA = "ljud- eller videoobjekt"
    EMBEDDED_FILES = "inbäddade filer"
    XFA = "ett XFA-formulär"
    OTHER_ACTIONS = "andra åtgärder"


@dataclass(frozen=True)
class ActiveContent:
    """One piece of active content: its kind and where it was (for -v)."""

    kind: Kind
    where: str


class UnreadablePdfError(Exception):
    """pikepdf (qpdf) cannot open the file."""


class ActiveContentRemainsError(Exception):
    """The cleaned copy still has active content: a gap in these rules."""

    def __init__(self, found: list[ActiveContent]):
        super().__init__(", ".join(f"{item.kind.name} at {item.where}" for item in found))
        self.found = found


ACTION_TYPES = frozenset(
    "/" + name
    for name in ("GoTo GoToR GoToE GoToDp Launch Thread URI Sound Movie Hide Named SubmitForm ResetForm "
                 "ImportData SetOCGState Rendition Trans GoTo3DView JavaScript RichMediaExecute").split()
)
ACTION_KINDS = {
    "/JavaScript": Kind.JAVASCRIPT,
    "/Launch": Kind.LAUNCH,
    "/SubmitForm": Kind.FORM_ACTIONS,
    "/ResetForm": Kind.FORM_ACTIONS,
    "/ImportData": Kind.FORM_ACTIONS,
    "/GoToR": Kind.LINKS_ELSEWHERE,
    "/GoToE": Kind.LINKS_ELSEWHERE,
    "/Sound": Kind.MULTIMEDIA,
    "/Movie": Kind.MULTIMEDIA,
    "/Rendition": Kind.MULTIMEDIA,
    "/RichMediaExecute": Kind.MULTIMEDIA,
}
SAFE_NAMED_ACTIONS = frozenset({"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"})
SAFE_URI = re.compile(rb"(?i)(https?|mailto):")
JAVASCRIPT_URI = re.compile(rb"(?i)\s*javascript:")

# Keys whose value is an action (or a chain of them) wherever they occur.
ACTION_KEYS = frozenset({"/A", "/PA", "/OpenAction", "/Next"})
# Keys removed wherever they occur, with the kind they stand for.
REMOVED_KEYS = {
    "/JS": Kind.JAVASCRIPT,
    "/JavaScript": Kind.JAVASCRIPT,  # the document's JavaScript name tree
    "/OnInstantiate": Kind.JAVASCRIPT,  # JavaScript of a 3D stream
    "/EmbeddedFiles": Kind.EMBEDDED_FILES,
    "/EF": Kind.EMBEDDED_FILES,
    "/RF": Kind.EMBEDDED_FILES,
    "/Collection": Kind.EMBEDDED_FILES,  # PDF portfolio
    "/XFA": Kind.XFA,
    "/Renditions": Kind.MULTIMEDIA,
    "/AlternatePresentations": Kind.MULTIMEDIA,
}
# Removed without a word: the XFA flag (/XFA itself is reported) and the list of
# associated files, whose embedded streams (/EF) are reported.
QUIETLY_REMOVED_KEYS = frozenset({"/NeedsRendering", "/AF"})
ANNOTATION_KINDS = {
    "/FileAttachment": Kind.EMBEDDED_FILES,
    "/Sound": Kind.MULTIMEDIA,
    "/Movie": Kind.MULTIMEDIA,
    "/Screen": Kind.MULTIMEDIA,
    "/RichMedia": Kind.MULTIMEDIA,
    "/3D": Kind.MULTIMEDIA,
}
CONTAINERS = frozenset({ObjectType.dictionary, ObjectType.array, ObjectType.stream})


# ------------------------------------------------------------------ public


def sanitize_pdf(src: Path, dst: Path) -> list[ActiveContent]:
    """Write a copy of ``src`` without active content to ``dst``; what was removed.

    ``src`` is never changed. Raises UnreadablePdfError if the file cannot
    be opened and ActiveContentRemainsError if the copy still fails the scan.
    """
    with _open(src) as pdf:
        removed = _remove_annotations(pdf)
        for container, where in _containers(pdf):
            removed += _inspect(container, where, fix=True)
        with warnings.catch_warnings():
            # "widgets not reachable from /AcroForm": about the sender's file, not for the secretary
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            pdf.save(dst)
    remaining = find_active_content(dst)
    if remaining:
        raise ActiveContentRemainsError(remaining)
    for item in removed:
        log.debug("%s: removed %s at %s", src.name, item.kind.name, item.where)
    return removed


def find_active_content(path: Path) -> list[ActiveContent]:
    """Every piece of active content in ``path``: each object is scanned."""
    with _open(path) as pdf:
        return [item for container, where in _containers(pdf) for item in _inspect(container, where, fix=False)]


def refuse_active_content(path: Path, document: str) -> None:
    """Raise OutputInvalidError if ``path`` has any active content left."""
    try:
        found = find_active_content(path)
    except UnreadablePdfError as exc:
        log.debug("%s cannot be read back: %s", path, exc)
        raise OutputInvalidError(f"{document} kan inte läsas tillbaka. Inget publicerades; "
                                 "kör igen med -v och rapportera felet.") from exc
    for item in found:
        log.debug("%s: %s at %s", path.name, item.kind.name, item.where)
    if found:
        raise OutputInvalidError(
            f"{document} innehåller aktivt innehåll som inte får finnas där: {describe(found)}. "
            "Inget publicerades; kör igen med -v och rapportera felet."
        )


def describe(found: list[ActiveContent]) -> str:
    """The kinds in plain Swedish, in a fixed order: 'JavaScript och en automatisk åtgärd vid öppning'."""
    kinds = {item.kind for item in found}
    names = [kind.value for kind in Kind if kind in kinds]
    return names[-1] if len(names) < 2 else ", ".join(names[:-1]) + " och " + names[-1]


def sentence(removed: list[ActiveContent]) -> str:
    """'JavaScript och en automatisk åtgärd vid öppning togs bort.'"""
    text = describe(removed)
    return f"{text[:1].upper()}{text[1:]} togs bort."


# ------------------------------------------------------------ the object walk


def _open(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise UnreadablePdfError(str(exc)) from exc


def _containers(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Object, str]]:
    """The trailer, every indirect object and every direct container inside them.

    Listed before any change, so that removing a key does not hide what was
    under it from the walk.
    """
    stack = [(pdf.trailer, "trailer")]
    stack += [(obj, f"obj {obj.objgen[0]}") for obj in pdf.objects if _type(obj) in CONTAINERS]
    found = []
    while stack:
        container, where = stack.pop()
        found.append((container, where))
        stack += [(child, f"{where} {key}") for key, child in _children(container)
                  if _type(child) in CONTAINERS and not child.is_indirect]
    return found


def _children(container: pikepdf.Object) -> Iterator[tuple[str, pikepdf.Object]]:
    if _type(container) == ObjectType.array:
        yield from ((f"[{index}]", child) for index, child in enumerate(container))
    else:
        yield from ((key, container.get(key)) for key in sorted(container.keys()))


def _inspect(container: pikepdf.Object, where: str, *, fix: bool) -> list[ActiveContent]:
    if _type(container) == ObjectType.array:
        return _inspect_array(container, where, fix)
    kind = _annotation_kind(container)
    if kind is not None:
        if fix:
            _hollow(container)
        return [ActiveContent(kind, where)]
    return _inspect_dictionary(container, where, fix)


def _inspect_dictionary(container: pikepdf.Object, where: str, fix: bool) -> list[ActiveContent]:
    found = []
    for key in sorted(container.keys()):
        remove, kinds = _verdict(container, key, container.get(key))
        found += [ActiveContent(kind, f"{where} {key}") for kind in kinds]
        if remove and fix:
            del container[key]
    return found


def _inspect_array(array: pikepdf.Object, where: str, fix: bool) -> list[ActiveContent]:
    """Actions listed in arrays (name trees, chains) are replaced by null."""
    found = []
    for index, element in enumerate(array):
        kinds = _action_kinds(element) if _looks_like_action(element) else []
        found += [ActiveContent(kind, f"{where} [{index}]") for kind in kinds]
        if kinds and fix:
            array[index] = None
    return found


# -------------------------------------------------------------- the rules


def _verdict(container: pikepdf.Object, key: str, value: pikepdf.Object) -> tuple[bool, list[Kind]]:
    """Whether the entry goes, and the kinds to report for it."""
    if key in REMOVED_KEYS:
        return True, [REMOVED_KEYS[key]]
    if key in QUIETLY_REMOVED_KEYS:
        return True, []
    if key == "/AA":
        return True, [Kind.ADDITIONAL_ACTIONS] + _additional_action_kinds(value)
    if key == "/OpenAction":
        return _open_action_verdict(value)
    if key == "/Next" and _looks_like_action(container):
        return True, _chain_kinds(value)
    if (key in ACTION_KEYS and _is_dictionary(value) and "/S" in value) or _looks_like_action(value):
        kinds = _action_kinds(value)
        return bool(kinds), kinds
    return False, []


def _open_action_verdict(value: pikepdf.Object) -> tuple[bool, list[Kind]]:
    """Opening at a page is harmless and not worth a warning; anything else is."""
    if not _is_dictionary(value):
        return True, []
    if value.get("/S") == Name.GoTo and "/Next" not in value:
        return True, []
    return True, [Kind.OPEN_ACTION] + (_action_kinds(value) or [])


def _additional_action_kinds(value: pikepdf.Object) -> list[Kind]:
    if not _is_dictionary(value):
        return []
    return [kind for key in value.keys() if _is_dictionary(value.get(key)) for kind in _action_kinds(value.get(key))]


def _chain_kinds(value: pikepdf.Object) -> list[Kind]:
    """Every action chained with /Next goes; harmless ones count as other actions."""
    actions = list(value) if _type(value) == ObjectType.array else [value]
    return [kind for action in actions if _is_dictionary(action)
            for kind in (_action_kinds(action) or [Kind.OTHER_ACTIONS])]


def _action_kinds(action: pikepdf.Object) -> list[Kind]:
    """What is wrong with this action itself (its /Next chain is judged on its own)."""
    kinds = [Kind.JAVASCRIPT] if "/JS" in action else []
    kind = _action_type_kind(action)
    return kinds + [kind] if kind is not None and kind not in kinds else kinds


def _action_type_kind(action: pikepdf.Object) -> Kind | None:
    subtype = str(action.get("/S", ""))
    if subtype == "/GoTo":
        return None
    if subtype == "/URI":
        return _uri_kind(action.get("/URI"))
    if subtype == "/Named":
        return None if str(action.get("/N", "")) in SAFE_NAMED_ACTIONS else Kind.OTHER_ACTIONS
    if subtype == "/Thread" and "/F" in action:
        return Kind.LINKS_ELSEWHERE
    return ACTION_KINDS.get(subtype, Kind.OTHER_ACTIONS)


def _uri_kind(uri: pikepdf.Object | None) -> Kind | None:
    """Web and e-mail addresses stay; javascript:, file: and the rest go."""
    if uri is None or _type(uri) != ObjectType.string:
        return Kind.LINKS_ELSEWHERE
    raw = bytes(uri)
    if SAFE_URI.match(raw):
        return None
    return Kind.JAVASCRIPT if JAVASCRIPT_URI.match(raw) else Kind.LINKS_ELSEWHERE


def _looks_like_action(obj: pikepdf.Object) -> bool:
    """An action found without a key that says so: /Type /Action, or a bare /S of an action type."""
    if not _is_dictionary(obj):
        return False
    if obj.get("/Type") == Name.Action:
        return True
    return "/Type" not in obj and str(obj.get("/S", "")) in ACTION_TYPES


def _annotation_kind(obj: pikepdf.Object) -> Kind | None:
    if _type(obj) != ObjectType.dictionary or ("/Rect" not in obj and obj.get("/Type") != Name.Annot):
        return None
    return ANNOTATION_KINDS.get(str(obj.get("/Subtype", "")))


def _type(obj: object) -> ObjectType | None:
    """The PDF type of obj; None for numbers and booleans, which pikepdf gives as Python values."""
    return getattr(obj, "_type_code", None)


def _is_dictionary(obj: object) -> bool:
    return _type(obj) == ObjectType.dictionary


def _hollow(obj: pikepdf.Object) -> None:
    """Empty a removed annotation that something else (a tag, a popup) still points to."""
    for key in list(obj.keys()):
        del obj[key]


# ------------------------------------------------------------- annotations


def _remove_annotations(pdf: pikepdf.Pdf) -> list[ActiveContent]:
    """Take attachments, media and links that only did harm off the pages."""
    removed = []
    for number, page in enumerate(pdf.pages, start=1):
        annots = page.obj.get("/Annots")
        if annots is None or _type(annots) != ObjectType.array:
            continue
        verdicts = [(annot, _annotation_kinds(annot)) for annot in annots]
        gone = {annot.objgen for annot, kinds in verdicts if kinds and annot.is_indirect}
        kept = [annot for annot, kinds in verdicts if not kinds and not _popup_of(annot, gone)]
        if len(kept) < len(annots):
            page.obj.Annots = Array(kept)
        removed += [ActiveContent(kind, f"page {number} annotation {annot.get('/Subtype')}")
                    for annot, kinds in verdicts for kind in kinds]
    return removed


def _annotation_kinds(annot: pikepdf.Object) -> list[Kind]:
    """Why an annotation goes: its type, or a link whose only action is bad."""
    if not _is_dictionary(annot):
        return []
    kind = ANNOTATION_KINDS.get(str(annot.get("/Subtype", "")))
    if kind is not None:
        return [kind]
    action = annot.get("/A")
    if annot.get("/Subtype") != Name.Link or "/Dest" in annot or not _is_dictionary(action):
        return []
    return _action_kinds(action)


def _popup_of(annot: pikepdf.Object, gone: set[tuple[int, int]]) -> bool:
    """A popup belongs to its parent annotation and goes with it."""
    if not _is_dictionary(annot) or annot.get("/Subtype") != Name.Popup:
        return False
    parent = annot.get("/Parent")
    return parent is not None and parent.is_indirect and parent.objgen in gone
