"""Page stamps ("Sida N av M") on every page of a PDF.

The stamp is drawn with reportlab in Liberation Sans (embedded), then merged
over each page with pypdf. Attachments come with all kinds of geometry
(A3/A4/Letter, landscape, ``/Rotate``, crop boxes with non-zero origins),
so everything is computed in the page's *upright frame*: the coordinate
system in which the page, as the reader sees it, is upright.

Instead of rewriting the page content with
``PageObject.transfer_rotation_to_content()`` (which does not move
annotations, links or named destinations along with the content), the page
keeps its ``/Rotate`` and the overlay is drawn in the upright frame and
mapped into the page's user space with the inverse rotation. The result
looks the same to the reader, and links, bookmarks and form fields of the
input stay exactly where they were.

Placement avoids content: each page (except those the caller says its own
templates laid out, which keep the first spot free) is rendered at low
resolution with pdftoppm and candidate spots are tried in order (bottom right, bottom
centre, bottom left, top right, top centre, top left). A spot is free when
it is blank and not inside a drawn frame (the "Justerandes signatur" and
"Utdragsbestyrkande" boxes at the foot of a protokoll page are blank inside).
When none is free, the stamp goes bottom right in the outermost 0.5 cm strip
on a small white box (``covered=True``).

The stamp and its white box are marked content of the kind ``/Artifact``
(``/Pagination``, ``/Header`` or ``/Footer``): a tagged page stays tagged,
and screen readers skip the page numbers.
"""

from __future__ import annotations

import io
import logging
import math
import os
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from meetingdocs.errors import ConversionError
from meetingdocs.numbers import runs_text
from meetingdocs.pdf.fonts import register_fonts
from meetingdocs.tools import poppler

log = logging.getLogger(__name__)

FONT_SIZE = 9.0
TEXT_GRAY = 0.25  # dark grey (0 = black)
PAD_X = 4.0  # points, padding around the label inside its box
PAD_Y = 3.0
EDGE = 1.0 * cm  # distance of a candidate box from the visible page edges
FALLBACK_STRIP = 0.5 * cm  # outermost strip used when no candidate is free
FALLBACK_PAD = 3.0  # horizontal padding of the white fallback box
CHECK_MARGIN = 2.0  # points of extra clearance required around a candidate
RENDER_DPI = 40
RENDER_CHUNK = 50  # pages per pdftoppm call (bounds memory on big packets)

CANDIDATES = (
    "bottom-right",
    "bottom-centre",
    "bottom-left",
    "top-right",
    "top-centre",
    "top-left",
)
FALLBACK = "fallback-bottom-right"

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class StampPlacement:
    """Where the stamp of one page went.

    ``x, y, width, height`` is the stamp box (label plus padding) in the
    page's upright frame: PDF user space for unrotated pages; for pages with
    ``/Rotate`` the frame the page would have after normalising the rotation
    into the content, with the media box's lower-left corner kept where it
    was. ``position`` is one of CANDIDATES or FALLBACK.
    """

    page_index: int
    x: float
    y: float
    width: float
    height: float
    covered: bool
    position: str = "bottom-right"


# --------------------------------------------------------------------------- geometry


def _rotation(page) -> int:
    try:
        r = int(page.rotation)
    except (TypeError, ValueError):
        return 0
    return (round(r / 90) * 90) % 360


def upright_matrix(mediabox: tuple[float, float, float, float], rotation: int) -> Matrix:
    """Affine map user space -> upright frame (X = a*x + c*y + e, Y = b*x + d*y + f).

    The media box's lower-left corner (llx, lly) stays fixed.
    """
    llx, lly, urx, ury = mediabox
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, llx - lly, lly + urx)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, llx + urx, lly + ury)
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, llx + ury, lly - llx)
    return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(ia * e + ic * f), -(ib * e + id_ * f))


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _rect(box) -> tuple[float, float, float, float]:
    r = RectangleObject(box)
    x0, y0, x1, y1 = (float(v) for v in (r.left, r.bottom, r.right, r.top))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _transform_rect(m: Matrix, r: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    p0 = apply(m, r[0], r[1])
    p1 = apply(m, r[2], r[3])
    return min(p0[0], p1[0]), min(p0[1], p1[1]), max(p0[0], p1[0]), max(p0[1], p1[1])


@dataclass(frozen=True)
class PageGeometry:
    rotation: int
    to_upright: Matrix  # user space -> upright frame
    mediabox: tuple[float, float, float, float]  # upright frame
    visible: tuple[float, float, float, float]  # crop box ∩ media box, upright frame
    user_unit: float


def page_geometry(page) -> PageGeometry:
    mb = _rect(page.mediabox)
    cb = _rect(page.cropbox)  # pypdf falls back to the media box
    vis = (max(mb[0], cb[0]), max(mb[1], cb[1]), min(mb[2], cb[2]), min(mb[3], cb[3]))
    if vis[0] >= vis[2] or vis[1] >= vis[3]:  # crop box outside media box: readers show the media box
        vis = mb
    rot = _rotation(page)
    m = upright_matrix(mb, rot)
    try:
        uu = float(page.user_unit) or 1.0
    except (TypeError, ValueError):
        uu = 1.0
    return PageGeometry(rot, m, _transform_rect(m, mb), _transform_rect(m, vis), uu)


# --------------------------------------------------------------------------- placement


@dataclass(frozen=True)
class _Label:
    text: str
    font: str
    size: float
    width: float  # text width
    ascent: float
    descent: float  # positive


def _measure(text: str, font: str, size: float) -> _Label:
    asc, desc = pdfmetrics.getAscentDescent(font, size)
    return _Label(text, font, size, pdfmetrics.stringWidth(text, font, size), asc, -desc)


def _candidate_box(name: str, vis, bw: float, bh: float, edge: float) -> tuple[float, float]:
    vx0, vy0, vx1, vy1 = vis
    vert, horiz = name.split("-")
    y = vy0 + edge if vert == "bottom" else vy1 - edge - bh
    if horiz == "right":
        x = vx1 - edge - bw
    elif horiz == "left":
        x = vx0 + edge
    else:
        x = (vx0 + vx1) / 2 - bw / 2
    return x, y


def _pixel_box(image: poppler.GrayImage, vis, box, margin: float) -> tuple[int, int, int, int]:
    """``box`` (upright frame, grown by ``margin``) in pixels of ``image``: x0, y0 (top), x1, y1 (bottom)."""
    vx0, vy0, vx1, vy1 = vis
    sx = image.width / (vx1 - vx0)
    sy = image.height / (vy1 - vy0)
    x0, y0, x1, y1 = box
    return (math.floor((x0 - margin - vx0) * sx), math.floor((vy1 - (y1 + margin)) * sy),
            math.ceil((x1 + margin - vx0) * sx), math.ceil((vy1 - (y0 - margin)) * sy))


def _box_is_blank(image: poppler.GrayImage, vis, box, margin: float) -> bool:
    return image.is_blank(*_pixel_box(image, vis, box, margin))


def _crossed(image: poppler.GrayImage, lines, across: range, *, rows: bool) -> bool:
    """Whether one of ``lines`` (pixel rows, or columns) is ink all the way over ``across``."""
    for line in lines:
        box = (across.start, line, across.stop, line + 1) if rows else (line, across.start, line + 1, across.stop)
        dark, total = image.dark_count(*box)
        if total and dark == total:
            return True
    return False


def _inside_frame(image: poppler.GrayImage, vis, box) -> bool:
    """True when a drawn line crosses the page on every side of ``box``: the spot is blank but
    inside a frame, such as the "Justerandes signatur" and "Utdragsbestyrkande" boxes at the foot of a
    protokoll page. A stamp there would sit in a box meant for a signature."""
    x0, y0, x1, y1 = _pixel_box(image, vis, box, 0.0)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(image.width, x1), min(image.height, y1)
    if x0 >= x1 or y0 >= y1:
        return False
    columns, rows = range(x0, x1), range(y0, y1)
    return (_crossed(image, range(y1, image.height), columns, rows=True)  # below: short for bottom spots
            and _crossed(image, range(x1, image.width), rows, rows=False)
            and _crossed(image, range(y0 - 1, -1, -1), columns, rows=True)
            and _crossed(image, range(x0 - 1, -1, -1), rows, rows=False))


def choose_placement(
    page_index: int,
    geom: PageGeometry,
    label: _Label,
    image: poppler.GrayImage | None,
    *,
    known_free: bool = False,
) -> StampPlacement:
    """First free candidate spot, else the covered fallback. Sizes in user units.

    ``known_free``: a page whose layout the build made itself, whose first candidate its templates keep
    free: that spot is taken without looking (no ``image`` needed)."""
    k = 1.0 / geom.user_unit  # sizes are physical points; user space may be scaled
    vis = geom.visible
    bw = (label.width + 2 * PAD_X) * k
    bh = (label.ascent + label.descent + 2 * PAD_Y) * k
    edge = EDGE * k
    if image is not None or known_free:
        for name in CANDIDATES:
            x, y = _candidate_box(name, vis, bw, bh, edge)
            box = (x, y, x + bw, y + bh)
            if box[0] < vis[0] or box[1] < vis[1] or box[2] > vis[2] or box[3] > vis[3]:
                continue  # page too small for this spot
            if known_free or (_box_is_blank(image, vis, box, CHECK_MARGIN * k) and not _inside_frame(image, vis, box)):
                return StampPlacement(page_index, x, y, bw, bh, False, name)
    # fallback: bottom right, inside the outermost 0.5 cm strip, on white
    fw = (label.width + 2 * FALLBACK_PAD) * k
    fh = min(FALLBACK_STRIP * k - 2 * k, bh)
    x = max(vis[0], vis[2] - edge - fw)
    y = vis[1] + max(0.0, (FALLBACK_STRIP * k - fh) / 2)
    return StampPlacement(page_index, x, y, fw, fh, True, FALLBACK)


# --------------------------------------------------------------------------- stamping


def _draw_overlay(c: canvas.Canvas, geom: PageGeometry, label: _Label, placement: StampPlacement) -> None:
    k = 1.0 / geom.user_unit
    mb = geom.mediabox
    c.setPageSize((mb[2] - mb[0], mb[3] - mb[1]))
    c.addLiteral(artifact_begin(placement))
    c.saveState()
    # draw in upright coordinates directly; the overlay page's media box is
    # replaced by the upright media box before merging (it only sets the clip)
    if placement.covered:
        c.setFillGray(1.0)
        c.rect(placement.x, placement.y, placement.width, placement.height, stroke=0, fill=1)
    c.setFillGray(TEXT_GRAY)
    c.setFont(label.font, label.size * k)
    text_h = (label.ascent + label.descent) * k
    baseline = placement.y + (placement.height - text_h) / 2 + label.descent * k
    c.drawCentredString(placement.x + placement.width / 2, baseline, label.text)
    c.restoreState()
    c.addLiteral("EMC")
    c.showPage()


def artifact_begin(placement: StampPlacement) -> str:
    """Open a pagination artifact: screen readers skip the stamp and its white box.

    A stamp at the top of the page is a header, anywhere else a footer.
    """
    subtype = "Header" if placement.position.startswith("top-") else "Footer"
    return f"/Artifact <</Type /Pagination /Subtype /{subtype}>> BDC"


def _format_label(label: str, n: int, m: int) -> str:
    try:
        return label.format(n=n, m=m)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"invalid stamp label {label!r}: use {{n}} and {{m}}") from exc


def _open(in_pdf: Path) -> PdfReader:
    try:
        reader = PdfReader(in_pdf)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ConversionError(
                f"{in_pdf} är lösenordsskyddad och kan inte sidnumreras. "
                "Spara en kopia utan lösenord och försök igen.",
                in_pdf,
            )
        _ = len(reader.pages)
    except ConversionError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise ConversionError(
            f"Kunde inte läsa PDF-filen {in_pdf} för sidnumrering. Filen är skadad "
            f"eller ingen PDF-fil ({type(exc).__name__}: {exc}).",
            in_pdf,
        ) from exc
    return reader


def _render_pages(in_pdf: Path, pages: list[int]) -> dict[int, poppler.GrayImage]:
    """One grayscale rendering per page in ``pages`` (0-based, ascending), each run of consecutive pages in
    as few pdftoppm calls as possible (at most RENDER_CHUNK pages a call, which bounds memory)."""
    images: dict[int, poppler.GrayImage] = {}
    for first, last in _runs(pages):
        for start in range(first, last + 1, RENDER_CHUNK):
            end = min(last, start + RENDER_CHUNK - 1)
            rendered = poppler.render_gray_pages(in_pdf, RENDER_DPI, start + 1, end + 1, cropbox=True)
            images.update(zip(range(start, end + 1), rendered))
    return images


def _runs(pages: list[int]) -> list[tuple[int, int]]:
    """[0, 1, 2, 5, 6] -> [(0, 2), (5, 6)]."""
    runs: list[tuple[int, int]] = []
    for page in pages:
        if runs and page == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], page)
        else:
            runs.append((page, page))
    return runs


def stamp_pages(
    in_pdf: Path,
    out_pdf: Path,
    *,
    label: str = "Sida {n} av {m}",
    first_number: int = 1,
    total: int | None = None,
    notes: Mapping[int, str] | None = None,
    own_layout: Collection[int] = (),
) -> list[StampPlacement]:
    """Stamp every page of ``in_pdf`` with ``label`` and write ``out_pdf``.

    Pages in ``own_layout`` (0-based) were laid out by the build's own
    templates, which keep the first candidate spot free: they are not
    rendered to look for a free spot. Every other page is.

    ``{n}`` is ``first_number + page index``, ``{m}`` is ``total`` or the
    page count. ``notes`` (page index -> text) go before the label on their
    pages: "Sekretess enligt OSL 21 kap. 1 § – Sida 3 av 9". ``out_pdf`` may
    equal ``in_pdf`` (written via a temporary file and renamed). Returns one
    StampPlacement per page.
    """
    in_pdf, out_pdf = Path(in_pdf), Path(out_pdf)
    fonts = register_fonts()
    reader = _open(in_pdf)
    count = len(reader.pages)
    m = total if total is not None else count
    writer = PdfWriter(clone_from=reader)

    geoms = [page_geometry(p) for p in writer.pages]
    notes = notes or {}
    texts = [_format_label(label, first_number + i, m) for i in range(count)]
    texts = [f"{notes[i]} – {text}" if i in notes else text for i, text in enumerate(texts)]
    labels = [_measure(text, fonts.regular, FONT_SIZE) for text in texts]

    own = set(own_layout)
    images = _render_pages(in_pdf, [i for i in range(count) if i not in own])
    placements = [choose_placement(i, geoms[i], labels[i], images.get(i), known_free=i in own) for i in range(count)]

    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts.regular, initialFontSize=FONT_SIZE, invariant=1)
    for i in range(count):
        _draw_overlay(c, geoms[i], labels[i], placements[i])
    c.save()
    buf.seek(0)
    overlay = PdfReader(buf)

    for i, page in enumerate(writer.pages):
        geom = geoms[i]
        stamp = overlay.pages[i]
        # clip box of the merge = overlay media box, in upright coordinates
        stamp.mediabox = RectangleObject(geom.mediabox)
        stamp.cropbox = RectangleObject(geom.mediabox)
        page.merge_transformed_page(stamp, invert(geom.to_upright), over=True, expand=False)
        page.compress_content_streams()
        p = placements[i]
        log.debug(
            "page %d: stamp %r at %s (%.1f, %.1f) rot=%d%s",
            i + 1, labels[i].text, p.position, p.x, p.y, geom.rotation,
            " on white (covered)" if p.covered else "",
        )

    _write_atomic(writer, out_pdf)
    covered = [first_number + p.page_index for p in placements if p.covered]
    if covered:
        log.info("På %s (av %d) fanns inget fritt hörn för sidnumret; där står det på en vit ruta längst ned "
                 "till höger.", pages_text(covered), m)
    return placements


def pages_text(numbers: list[int]) -> str:
    """'sidan 3', 'sidorna 3, 7' or 'sidorna 3–9, 12': page numbers as the reader sees them."""
    return f"{'sidan' if len(set(numbers)) == 1 else 'sidorna'} {runs_text(numbers)}"


def _write_atomic(writer: PdfWriter, out_pdf: Path) -> None:
    """Write next to ``out_pdf`` and rename, so a failure never leaves half a file.

    The temporary file is created with a plain open() so it gets the usual
    umask-based permissions (mkstemp would make it 0600).
    """
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_pdf.with_name(f".{out_pdf.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as fh:
            writer.write(fh)
        os.replace(tmp, out_pdf)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
