"""Innehållsförteckning: the table of contents at the front of a packet.

Laid out by hand on a reportlab canvas (A4 portrait, Liberation Sans) so
that every line box is known exactly: :func:`render_toc` returns the box of
each entry for the clickable links that other code adds once the packet is
assembled. The TOC carries no page numbers of its own; the page stamp goes
in the bottom 2 cm, which is always left empty here.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from meetingdocs.pdf.fonts import register_fonts

log = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 2.5 * cm
MARGIN_TOP = 2.5 * cm
MARGIN_BOTTOM = 2.5 * cm  # nothing below this; the page stamp lives in the bottom 2 cm

HEADING_SIZE = 16.0
HEADING_LEADING = 20.0
SUBHEADING_SIZE = 11.0
SUBHEADING_LEADING = 14.0
AFTER_HEADING = 16.0  # gap between the heading block and the first entry

ENTRY_SIZE = 10.5
ENTRY_LEADING = 14.0
LEVEL0_SPACE_BEFORE = 6.0  # extra space above a level-0 entry (not at a page top)
INDENT = 0.8 * cm  # per level
MIN_LEADER_DOTS = 3  # every entry gets at least this many leader dots
LEADER_GRAY = 0.35
LEADER_PAD = 4.0  # free space at both ends of the leader

_NUMBER_PREFIX_RE = re.compile(r"^(\d+[.)]|§\s*\d+)\s+")


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


@dataclass
class _Block:
    """An entry, wrapped into lines, ready to place."""

    index: int
    level: int
    lines: list[str]
    line_x: list[float]  # x of each line (hanging indent for continuation lines)
    number: str
    font: str
    space_before: float
    x0: float  # left edge of the link box

    @property
    def height(self) -> float:
        return len(self.lines) * ENTRY_LEADING


@dataclass
class _Cursor:
    page: int = 0
    y: float = 0.0  # top of the next line box
    fresh: bool = True  # nothing placed yet on this page below the heading
    links: list[TocLink] = field(default_factory=list)


def _split_long_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Break a word wider than ``width`` into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, font: str, size: float, first_width: float, rest_width: float) -> list[str]:
    """Greedy word wrap; the first line may have a different width."""
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        width = first_width if not lines else rest_width
        candidate = f"{current} {word}" if current else word
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
            width = rest_width
        if pdfmetrics.stringWidth(word, font, size) <= width:
            current = word
        else:
            pieces = _split_long_word(word, font, size, width)
            lines.extend(pieces[:-1])
            current = pieces[-1]
    lines.append(current)
    return lines


def _baseline(top: float, size: float, leading: float, font: str) -> float:
    """Baseline for a line box whose top is ``top``: text centred in the box."""
    asc, desc = pdfmetrics.getAscentDescent(font, size)
    extra = leading - (asc - desc)
    return top - extra / 2 - asc


def render_toc(
    entries: list[TocEntry],
    out_pdf: Path,
    *,
    heading: str = "Innehållsförteckning",
    subheading: str = "",
) -> list[TocLink]:
    """Write the TOC to ``out_pdf`` (A4, as many pages as needed).

    Returns one TocLink per entry, in entry order, whose rect covers all
    line boxes of that entry (from the entry's indent to the right margin).
    """
    fonts = register_fonts()
    regular, bold = fonts.regular, fonts.bold
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)

    left = MARGIN_LEFT
    right = PAGE_WIDTH - MARGIN_RIGHT
    bottom_limit = MARGIN_BOTTOM

    numbers = [str(e.page) for e in entries]
    number_col = max([pdfmetrics.stringWidth(n, bold, ENTRY_SIZE) for n in numbers + ["99"]])

    blocks: list[_Block] = []
    for i, entry in enumerate(entries):
        level = max(0, int(entry.level))
        font = bold if level == 0 else regular
        title = " ".join(str(entry.title).split())
        x = left + level * INDENT
        # room for the number and a leader of at least MIN_LEADER_DOTS dots
        # (one more dot's width: the leader starts on a grid)
        dot = pdfmetrics.stringWidth(".", font, ENTRY_SIZE)
        text_right = right - number_col - 2 * LEADER_PAD - (MIN_LEADER_DOTS + 1) * dot
        first_width = text_right - x
        hang = 0.0
        m = _NUMBER_PREFIX_RE.match(title)
        if m and level == 0:
            # continuation lines of "3. Långt ärende ..." align after "3. "
            hang = pdfmetrics.stringWidth(m.group(0), font, ENTRY_SIZE)
            if hang > first_width / 3:
                hang = 0.0
        lines = wrap(title, font, ENTRY_SIZE, first_width, first_width - hang)
        blocks.append(
            _Block(
                index=i,
                level=level,
                lines=lines,
                line_x=[x] + [x + hang] * (len(lines) - 1),
                number=numbers[i],
                font=font,
                space_before=LEVEL0_SPACE_BEFORE if level == 0 else 0.0,
                x0=x,
            )
        )

    c = canvas.Canvas(
        str(out_pdf),
        pagesize=A4,
        initialFontName=regular,
        initialFontSize=ENTRY_SIZE,
        invariant=1,
    )
    c.setTitle(heading)
    cur = _Cursor()

    def start_page(first: bool) -> None:
        cur.y = PAGE_HEIGHT - MARGIN_TOP
        cur.fresh = True
        if first:
            _draw_heading(c, cur, heading, subheading, bold, regular, left, right)

    start_page(first=True)

    for k, block in enumerate(blocks):
        need = block.height + (0.0 if cur.fresh else block.space_before)
        # keep a level-0 line with its first child: never orphan it at a page bottom
        if block.level == 0 and k + 1 < len(blocks) and blocks[k + 1].level > 0:
            need += blocks[k + 1].space_before + blocks[k + 1].height
        if cur.y - need < bottom_limit and not cur.fresh:
            c.showPage()
            cur.page += 1
            start_page(first=False)
        if not cur.fresh:
            cur.y -= block.space_before
        _draw_block(c, cur, block, right)
        cur.fresh = False

    c.showPage()
    c.save()
    log.debug("TOC: %d entries on %d page(s) -> %s", len(entries), cur.page + 1, out_pdf)
    return cur.links


def _draw_heading(
    c: canvas.Canvas,
    cur: _Cursor,
    heading: str,
    subheading: str,
    bold: str,
    regular: str,
    left: float,
    right: float,
) -> None:
    width = right - left
    c.setFillGray(0)
    for line in wrap(heading, bold, HEADING_SIZE, width, width):
        c.setFont(bold, HEADING_SIZE)
        c.drawString(left, _baseline(cur.y, HEADING_SIZE, HEADING_LEADING, bold), line)
        cur.y -= HEADING_LEADING
    if subheading.strip():
        cur.y -= 2.0
        for raw in subheading.splitlines():
            if not raw.strip():
                continue
            for line in wrap(raw, regular, SUBHEADING_SIZE, width, width):
                c.setFont(regular, SUBHEADING_SIZE)
                c.drawString(left, _baseline(cur.y, SUBHEADING_SIZE, SUBHEADING_LEADING, regular), line)
                cur.y -= SUBHEADING_LEADING
    cur.y -= AFTER_HEADING


def _draw_block(c: canvas.Canvas, cur: _Cursor, block: _Block, right: float) -> None:
    top = cur.y
    c.setFillGray(0)
    c.setFont(block.font, ENTRY_SIZE)
    last = len(block.lines) - 1
    for n, (line, x) in enumerate(zip(block.lines, block.line_x)):
        baseline = _baseline(cur.y, ENTRY_SIZE, ENTRY_LEADING, block.font)
        c.drawString(x, baseline, line)
        if n == last:
            number_w = pdfmetrics.stringWidth(block.number, block.font, ENTRY_SIZE)
            c.drawRightString(right, baseline, block.number)
            text_end = x + pdfmetrics.stringWidth(line, block.font, ENTRY_SIZE)
            # the leader runs right up to the number: a wider gap makes
            # pdftotext treat the numbers as a separate column
            _draw_leader(c, block.font, text_end + LEADER_PAD, right - number_w - LEADER_PAD, baseline)
            c.setFillGray(0)
        cur.y -= ENTRY_LEADING
    cur.links.append(TocLink(cur.page, (block.x0, cur.y, right, top), block.index))


def _draw_leader(c: canvas.Canvas, font: str, x_from: float, x_to: float, baseline: float) -> None:
    """Dot leader: one run of "." glyphs between ``x_from`` and ``x_to``.

    Real text (not graphics), so that extracted text keeps each title and
    its page number together on one line ("Tjänsteskrivelse ....... 12").
    The run starts on a grid of the dot's advance width, so dots line up
    from entry to entry.
    """
    advance = pdfmetrics.stringWidth(".", font, ENTRY_SIZE)
    if advance <= 0:
        return
    start = math.ceil(x_from / advance) * advance
    count = int((x_to - start) // advance)
    if count < 1:
        return
    c.setFillGray(LEADER_GRAY)
    c.setFont(font, ENTRY_SIZE)
    c.drawString(start, baseline, "." * count)
