"""Word numbering for Markdown lists, so that a list is a list: L > LI in the tagged PDF.

A list item's first paragraph carries ``w:numPr`` (a numbering instance and a level); the label ("•",
"–", "3.") is drawn by Word or LibreOffice from the numbering definitions this module writes into the
document's numbering part. LibreOffice's tagged PDF export turns such paragraphs into L > LI elements, and
a screen reader announces the list and its items, where a drawn "•" was only a character in a paragraph.

Each list that stands in no other list gets a numbering instance (``w:num``) with an abstract numbering
of its own (``w:abstractNum``): its numbers start anew, at the number the Markdown gives ("3." starts at
3). Its sublists are the deeper levels of the same instance, so that the sublist belongs to the item above
it (LibreOffice nests the sublist's L in that item). A level restarts by itself under every new item of
the level above. Where one instance cannot say what a sublist needs (a numbered sublist where the same
depth had bullets, another start number, a second numbered sublist under the same item, more than nine
levels), the sublist gets an instance of its own: its numbers are right, and in the PDF it is a list of
its own next to the item rather than inside it.

The look is the one of the markers that were drawn before: "•" and "–" by turns from one depth to the
next, "1." at every depth of a numbered list, each level LIST_INDENT further in with the label hanging
in that indent, the label in the paragraph's own font. Nothing depends on the template: the numbering part
is made when the template has none, and new ids follow the largest ones there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Cm

LIST_INDENT = Cm(0.63)
BULLETS = ("•", "–")  # depth 1, 2, then by turns
MAX_LEVELS = 9  # w:ilvl 0..8

_EMPTY_NUMBERING = f"<w:numbering {nsdecls('w')}/>"


@dataclass(frozen=True)
class _LevelKind:
    ordered: bool
    start: int
    depth: int  # of the list in the Markdown, 1 for a list in no other list: sets glyph and indent


@dataclass
class WordList:
    """One numbering instance: a list in no other list, with its sublists as deeper levels."""

    numbering: object  # the w:numbering element
    abstract: object  # its own w:abstractNum
    num_id: int
    base_depth: int  # the Markdown depth of level 0
    _kinds: dict[int, _LevelKind] = field(default_factory=dict)
    _started_under: dict[int, object] = field(default_factory=dict)  # ilvl -> the item its last list is under

    @classmethod
    def new(cls, document_part, depth: int) -> "WordList":
        """A new instance (with its own abstract numbering) whose level 0 is a list at Markdown ``depth``."""
        numbering = numbering_element(document_part)
        abstract_id = 1 + max((int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))),
                              default=-1)
        abstract = OxmlElement("w:abstractNum", attrs={qn("w:abstractNumId"): str(abstract_id)})
        abstract.append(OxmlElement("w:multiLevelType", attrs={qn("w:val"): "multilevel"}))
        _insert_abstract(numbering, abstract)
        num = numbering.add_num(abstract_id)
        return cls(numbering, abstract, int(num.numId), depth)

    def level(self, depth: int, ordered: bool, start: int, parent: object = None) -> Optional["ListLevel"]:
        """The level for a list at Markdown ``depth`` under the list item ``parent`` (None: the list that
        opens the instance), defined on first use; None when this instance cannot number it right."""
        ilvl = depth - self.base_depth
        if not 0 <= ilvl < MAX_LEVELS:
            return None
        kind = _LevelKind(ordered, start, depth)
        if ilvl not in self._kinds:
            self._kinds[ilvl] = kind
            _insert_level(self.abstract, _level_element(ilvl, kind))
        elif self._kinds[ilvl] != kind or (ordered and self._started_under.get(ilvl) is parent):
            return None  # another look, or the numbers would go on from the list before under the same item
        self._started_under[ilvl] = parent
        return ListLevel(self, ilvl)


@dataclass(frozen=True)
class ListLevel:
    """Where a list's items go: a level of a numbering instance."""

    word_list: WordList
    ilvl: int

    def number(self, p) -> None:
        """Make the paragraph element ``p`` an item of this level (its label comes from the numbering)."""
        num_pr = p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = self.ilvl
        num_pr.get_or_add_numId().val = self.word_list.num_id

    def sublist(self, depth: int, ordered: bool, start: int, parent: object) -> Optional["ListLevel"]:
        return self.word_list.level(depth, ordered, start, parent)


def numbering_element(document_part):
    """The document's w:numbering element; the numbering part is made if the document has none."""
    try:
        return document_part.numbering_part.element
    except NotImplementedError:  # python-docx cannot make the part itself
        package = document_part.package
        taken = {str(part.partname) for part in package.iter_parts()}
        name = "/word/numbering.xml" if "/word/numbering.xml" not in taken else None
        partname = PackURI(name) if name else package.next_partname("/word/numbering%d.xml")
        part = NumberingPart(partname, CT.WML_NUMBERING, parse_xml(_EMPTY_NUMBERING), package)
        document_part.relate_to(part, RT.NUMBERING)
        return part.element


def _insert_abstract(numbering, abstract) -> None:
    """Abstract numberings come before the instances (schema order)."""
    following = next((c for c in numbering if c.tag in (qn("w:num"), qn("w:numIdMacAtCleanup"))), None)
    if following is not None:
        following.addprevious(abstract)
    else:
        numbering.append(abstract)


def _insert_level(abstract, level) -> None:
    """Levels in the order of w:ilvl, after w:multiLevelType."""
    ilvl = int(level.get(qn("w:ilvl")))
    following = next((c for c in abstract.iterchildren(qn("w:lvl")) if int(c.get(qn("w:ilvl"))) > ilvl), None)
    if following is not None:
        following.addprevious(level)
    else:
        abstract.append(level)


def _level_element(ilvl: int, kind: _LevelKind):
    if kind.ordered:
        fmt, text = "decimal", f"%{ilvl + 1}."
    else:
        fmt, text = "bullet", BULLETS[(kind.depth - 1) % len(BULLETS)]
    indent = int(LIST_INDENT.twips) * kind.depth
    hanging = int(LIST_INDENT.twips)
    return parse_xml(
        f'<w:lvl {nsdecls("w")} w:ilvl="{ilvl}">'
        f'<w:start w:val="{kind.start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/>'
        f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{indent}"/></w:tabs>'
        f'<w:ind w:left="{indent}" w:hanging="{hanging}"/></w:pPr>'
        "</w:lvl>"
    )
