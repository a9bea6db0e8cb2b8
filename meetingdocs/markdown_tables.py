"""How a Markdown table is laid out so that every cell's text stays visible.

Column widths follow the text of each column (every column gets at least
room for its longest word, up to a cap). A table too wide for the page is,
in this order:

1. set in a smaller font (down to 9 pt) on the portrait page,
2. put on a landscape page (down to 8 pt) when it stands in the body text,
3. split into parts of adjacent columns, each part repeating the first
   column, at 8 pt on the widest page available.

The functions here only compute; the renderer writes the docx.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

BODY_SIZE = 11.0  # pt: the templates' body text
PORTRAIT_SIZES = (BODY_SIZE, 10.0, 9.0)
LANDSCAPE_SIZES = (10.0, 9.0, 8.0)
MIN_SIZE = 8.0

EMU_PER_PT = 12700
WIDE_MARGIN = 68580  # EMU: Table Grid's cell margin, 0.19 cm on each side
NARROW_MARGIN = 36195  # EMU: 0.1 cm, used for tables set in a smaller font
MAX_WORD_EM = 10.0  # a longer word may break inside the word rather than widen its column
MAX_TEXT_EM = 25.0
BOLD_FACTOR = 1.1  # Liberation Sans Bold is about this much wider than Regular
SAFETY = 1.05  # LibreOffice's line breaking needs a little room to spare

# Advance widths of Liberation Sans (metric-compatible with Arial), in em.
_NARROW = dict.fromkeys("fijlrtI!'()*,-./:;[]`|{} ", 0.3)
_WIDE = dict.fromkeys("mwMW@%", 0.9)
_CAPITALS = dict.fromkeys("ABCDEFGHKNOQRSUVXYZÅÄÖÉÆØ&", 0.7)
_CHAR_EM = {**_NARROW, **_WIDE, **_CAPITALS, "J": 0.5, "L": 0.556, "P": 0.667, "T": 0.611}
_DEFAULT_EM = 0.556  # lower-case letters and digits


def text_em(text: str, *, bold: bool = False) -> float:
    """The width of ``text`` in em of Liberation Sans."""
    width = sum(_CHAR_EM.get(char, _DEFAULT_EM) for char in text)
    return width * (BOLD_FACTOR if bold else 1.0)


@dataclass(frozen=True)
class TableLayout:
    font_size: Optional[float]  # None: the style's own size
    landscape: bool
    cell_margin: Optional[int]  # EMU on each side; None: the style's own
    parts: tuple[tuple[int, ...], ...]  # column indexes of each part
    widths: tuple[tuple[int, ...], ...]  # EMU of each column of each part

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class _Measure:
    longest_word: list[float]  # em
    longest_text: list[float]


def _measure(rows: Sequence[Sequence[str]], ncols: int, header_rows: int = 0) -> _Measure:
    longest_word = [1.0] * ncols
    longest_text = [1.0] * ncols
    for row_index, cells in enumerate(rows):
        bold = row_index < header_rows
        for index, text in enumerate(cells[:ncols]):
            word = max((text_em(w, bold=bold) for w in text.split()), default=1.0)
            longest_word[index] = max(longest_word[index], min(word, MAX_WORD_EM))
            longest_text[index] = max(longest_text[index], min(text_em(text, bold=bold), MAX_TEXT_EM))
    return _Measure(longest_word, longest_text)


def _em(size: float) -> float:
    return size * EMU_PER_PT * SAFETY


def _minimum(measure: _Measure, columns: Sequence[int], size: float, margin: int) -> list[float]:
    return [2 * margin + measure.longest_word[c] * _em(size) for c in columns]


def _wanted(measure: _Measure, columns: Sequence[int], size: float, margin: int) -> list[float]:
    return [
        max(2 * margin + measure.longest_text[c] * _em(size), m)
        for c, m in zip(columns, _minimum(measure, columns, size, margin))
    ]


def _fits(measure: _Measure, columns: Sequence[int], size: float, margin: int, total: int) -> bool:
    return sum(_minimum(measure, columns, size, margin)) <= total


def _share(measure: _Measure, columns: Sequence[int], size: float, margin: int, total: int) -> tuple[int, ...]:
    """Split ``total`` (EMU) between ``columns`` by how much text they hold.

    Every column gets at least room for its longest word; what is left goes
    to the columns whose text is longer than that.
    """
    minimum = _minimum(measure, columns, size, margin)
    wanted = _wanted(measure, columns, size, margin)
    if sum(wanted) <= total or sum(minimum) >= total:
        weights = wanted if sum(wanted) <= total else minimum
    else:
        spare = total - sum(minimum)
        extra = [w - m for w, m in zip(wanted, minimum)]
        weights = [m + spare * e / sum(extra) for m, e in zip(minimum, extra)]
    scale = total / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[-1] += total - sum(widths)
    return tuple(widths)


def column_widths(rows: list[list[str]], ncols: int, total: int, header_rows: int = 0) -> list[int]:
    """Column widths (EMU) of a table set in the body font across ``total``."""
    columns = range(ncols)
    return list(_share(_measure(rows, ncols, header_rows), columns, BODY_SIZE, WIDE_MARGIN, total))


def plan_table(rows: Sequence[Sequence[str]], ncols: int, portrait: int, landscape: Optional[int],
               header_rows: int = 0) -> TableLayout:
    """The layout of a table with the cell texts ``rows`` (see module doc).

    ``portrait`` is the text width of the page the table stands on;
    ``landscape`` the text width of a landscape page, or None when the
    table cannot get one (inside a table cell or a footnote). The first
    ``header_rows`` rows are set in bold.
    """
    measure = _measure(rows, ncols, header_rows)
    columns = tuple(range(ncols))
    for size in PORTRAIT_SIZES:
        margin = WIDE_MARGIN if size == BODY_SIZE else NARROW_MARGIN
        if _fits(measure, columns, size, margin, portrait):
            return _single(measure, columns, size, margin, portrait, landscape=False)
    if landscape is not None:
        for size in LANDSCAPE_SIZES:
            if _fits(measure, columns, size, NARROW_MARGIN, landscape):
                return _single(measure, columns, size, NARROW_MARGIN, landscape, landscape=True)
    total = landscape if landscape is not None else portrait
    parts = split_columns(measure, ncols, total)
    widths = tuple(_share(measure, part, MIN_SIZE, NARROW_MARGIN, total) for part in parts)
    return TableLayout(MIN_SIZE, landscape is not None, NARROW_MARGIN, parts, widths)


def _single(measure: _Measure, columns: tuple[int, ...], size: float, margin: int, total: int, *,
            landscape: bool) -> TableLayout:
    widths = _share(measure, columns, size, margin, total)
    body = size == BODY_SIZE
    return TableLayout(None if body else size, landscape, None if body else margin, (columns,), (widths,))


def split_columns(measure: _Measure, ncols: int, total: int) -> tuple[tuple[int, ...], ...]:
    """Parts of adjacent columns that each fit ``total`` at the smallest size;
    every part after the first starts with the first column again."""
    if ncols < 2:
        return ((0,),) if ncols else ()
    rest = list(range(1, ncols))
    width = _minimum(measure, range(ncols), MIN_SIZE, NARROW_MARGIN)
    room = total - width[0]
    greedy = _greedy_groups(rest, width, room)
    even = _even_groups(rest, len(greedy))
    groups = even if all(sum(width[c] for c in g) <= room for g in even) else greedy
    return tuple((0, *g) for g in groups)


def _greedy_groups(rest: list[int], width: list[float], room: float) -> list[list[int]]:
    groups: list[list[int]] = [[]]
    used = 0.0
    for column in rest:
        if groups[-1] and used + width[column] > room:
            groups.append([])
            used = 0.0
        groups[-1].append(column)
        used += width[column]
    return groups


def _even_groups(rest: list[int], count: int) -> list[list[int]]:
    size = math.ceil(len(rest) / count)
    return [rest[i:i + size] for i in range(0, len(rest), size)]
