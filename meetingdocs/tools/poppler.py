"""Thin wrappers around poppler-utils: pdfinfo, pdftotext, pdffonts, pdftoppm.

Every call goes through :func:`meetingdocs.tools.run.run` with a timeout.
A missing program raises MissingDependencyError; a PDF that poppler cannot
open (or a tool that fails or overruns) raises :class:`PopplerError`.
"""

from __future__ import annotations

import html
import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from meetingdocs.errors import ConversionError, MissingDependencyError
from meetingdocs.tools.run import ToolTimeout, run

log = logging.getLogger(__name__)

INSTALL_HINT = "sudo apt-get install -y poppler-utils"

# seconds; generous, poppler is fast but packets can be a few hundred pages
TIMEOUT_PROBE = 20.0
TIMEOUT_INFO = 60.0
TIMEOUT_TEXT = 180.0
TIMEOUT_RENDER_BASE = 60.0
TIMEOUT_RENDER_PER_PAGE = 5.0


class PopplerError(ConversionError):
    """A poppler tool could not open or process a PDF.

    ``source`` is the PDF in question; ``stderr`` is poppler's own output.
    """

    def __init__(self, message: str, source: Path | None = None, stderr: str = ""):
        super().__init__(message, source)
        self.stderr = stderr


def _missing(tool: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"Programmet {tool} saknas. Det ingår i paketet poppler-utils, som behövs "
        "för att läsa och kontrollera PDF-filer.\n"
        f"Installera det med:\n  {INSTALL_HINT}"
    )


def _poppler(
    argv: Sequence[str | Path], *, timeout: float, pdf: Path | None
) -> subprocess.CompletedProcess:
    """Run a poppler tool; translate failures into Swedish errors."""
    tool = str(argv[0])
    try:
        return run(argv, timeout=timeout)
    except FileNotFoundError:
        raise _missing(tool) from None
    except ToolTimeout:
        where = f" för {pdf}" if pdf is not None else ""
        raise PopplerError(
            f"{tool} blev inte klart inom {timeout:.0f} sekunder{where}. "
            "PDF-filen kan vara skadad eller mycket stor.",
            pdf,
        ) from None
    except subprocess.CalledProcessError as exc:
        stderr = (exc.stderr or b"").decode("utf-8", "replace").strip()
        detail = _summarise_stderr(stderr)
        where = f"{pdf}" if pdf is not None else "PDF-filen"
        raise PopplerError(
            f"Kunde inte läsa {where} med {tool}: "
            f"{detail or f'felkod {exc.returncode}'}. "
            "Kontrollera att filen är en hel, giltig PDF-fil som inte är lösenordsskyddad.",
            pdf,
            stderr,
        ) from None


def _summarise_stderr(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    # the last error line is usually the useful one ("Couldn't open file", ...)
    errors = [ln for ln in lines if "Error" in ln] or lines
    return errors[-1] if errors else ""


def _check_input(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise PopplerError(f"PDF-filen {path} finns inte.", path)
    return path


# --------------------------------------------------------------------------- probes


_VERSION_RE = re.compile(r"version\s+(\d+(?:\.\d+)+)")


def version() -> str:
    """Poppler version from ``pdfinfo -v``, e.g. ``"22.12.0"``."""
    try:
        proc = run(["pdfinfo", "-v"], timeout=TIMEOUT_PROBE, check=False)
    except FileNotFoundError:
        raise _missing("pdfinfo") from None
    except ToolTimeout:
        raise PopplerError(f"pdfinfo -v svarade inte inom {TIMEOUT_PROBE:.0f} sekunder.") from None
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    match = _VERSION_RE.search(text)
    if not match:
        raise PopplerError(f"Kunde inte avgöra vilken version av poppler-utils som är installerad: {text.strip()!r}")
    return match.group(1)


# --------------------------------------------------------------------------- pdfinfo


def pdfinfo(path: Path) -> dict[str, str]:
    """``pdfinfo`` as a dict ("Pages", "Page size", "Title", ...)."""
    path = _check_input(path)
    proc = _poppler(["pdfinfo", "-enc", "UTF-8", path], timeout=TIMEOUT_INFO, pdf=path)
    info: dict[str, str] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        info.setdefault(key.strip(), value.strip())
    if "Pages" not in info:
        raise PopplerError(f"pdfinfo kunde inte läsa antalet sidor i {path}.", path)
    return info


def page_count(path: Path) -> int:
    info = pdfinfo(path)
    try:
        return int(info["Pages"])
    except ValueError:
        raise PopplerError(f"pdfinfo gav ett ogiltigt sidantal för {path}: {info['Pages']!r}", path) from None


# --------------------------------------------------------------------------- pdftotext


def pdftotext(
    path: Path,
    first: int | None = None,
    last: int | None = None,
    layout: bool = False,
    *,
    bbox: bool = False,
) -> str:
    """Text of pages ``first``..``last`` (1-based, inclusive) as UTF-8.

    Pages are separated by form feeds. ``bbox=True`` returns pdftotext's
    ``-bbox`` XHTML (word boxes in points, origin top-left of the crop box).
    """
    path = _check_input(path)
    argv: list[str | Path] = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        argv += ["-f", str(first)]
    if last is not None:
        argv += ["-l", str(last)]
    if layout:
        argv.append("-layout")
    if bbox:
        argv.append("-bbox")
    argv += [path, "-"]
    proc = _poppler(argv, timeout=TIMEOUT_TEXT, pdf=path)
    return proc.stdout.decode("utf-8", "replace")


@dataclass(frozen=True)
class Word:
    """A word from ``pdftotext -bbox``: points, origin top-left of the page."""

    page: int  # 1-based
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page_width: float
    page_height: float


_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD_RE = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
)


def words(path: Path, first: int | None = None, last: int | None = None) -> list[Word]:
    """Word boxes of pages ``first``..``last`` via ``pdftotext -bbox``."""
    xhtml = pdftotext(path, first, last, bbox=True)
    result: list[Word] = []
    page = (first or 1) - 1
    width = height = 0.0
    for line in xhtml.splitlines():
        m = _PAGE_RE.search(line)
        if m:
            page += 1
            width, height = float(m.group(1)), float(m.group(2))
            continue
        m = _WORD_RE.search(line)
        if m:
            result.append(
                Word(
                    page,
                    html.unescape(m.group(5)),
                    float(m.group(1)),
                    float(m.group(2)),
                    float(m.group(3)),
                    float(m.group(4)),
                    width,
                    height,
                )
            )
    return result


# --------------------------------------------------------------------------- pdffonts


def pdffonts(path: Path) -> list[dict]:
    """Fonts used by ``path``.

    Each row: ``name``, ``type``, ``encoding`` (str), ``emb``, ``sub``,
    ``uni`` (bool), ``object`` (str, "num gen").
    """
    path = _check_input(path)
    proc = _poppler(["pdffonts", path], timeout=TIMEOUT_INFO, pdf=path)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    rows: list[dict] = []
    dash_index = next((i for i, ln in enumerate(lines) if ln.startswith("----")), None)
    if dash_index is None:
        return rows
    widths = [len(col) for col in lines[dash_index].split()]
    name_w = widths[0] if widths else 36
    for line in lines[dash_index + 1 :]:
        if not line.strip():
            continue
        tokens = line.split()
        if len(tokens) < 8:
            log.debug("pdffonts: unparsed line %r", line)
            continue
        emb, sub, uni, obj, gen = tokens[-5:]
        encoding = tokens[-6]
        # the name column is fixed width unless the name overflows it
        if len(line) > name_w and line[name_w] == " " and line[:name_w].strip():
            name = line[:name_w].strip()
            rest = line[name_w:].split()
        else:
            name = tokens[0]
            rest = tokens[1:]
        type_ = " ".join(rest[:-6])
        rows.append(
            {
                "name": name,
                "type": type_,
                "encoding": encoding,
                "emb": emb == "yes",
                "sub": sub == "yes",
                "uni": uni == "yes",
                "object": f"{obj} {gen}",
            }
        )
    return rows


# --------------------------------------------------------------------------- pdftoppm


@dataclass(frozen=True)
class GrayImage:
    """An 8-bit grayscale raster, rows top to bottom, 0 = black, 255 = white."""

    width: int
    height: int
    pixels: bytes

    def pixel(self, x: int, y: int) -> int:
        return self.pixels[y * self.width + x]

    def dark_count(self, x0: int, y0: int, x1: int, y1: int, threshold: int = 245) -> tuple[int, int]:
        """(dark pixels, all pixels) in the box [x0, x1) x [y0, y1), clipped to the image."""
        x0, x1 = max(0, int(x0)), min(self.width, int(x1))
        y0, y1 = max(0, int(y0)), min(self.height, int(y1))
        if x0 >= x1 or y0 >= y1:
            return 0, 0
        dark_values = bytes(range(max(0, min(256, threshold))))
        dark = 0
        for y in range(y0, y1):
            row = self.pixels[y * self.width + x0 : y * self.width + x1]
            dark += len(row) - len(row.translate(None, dark_values))
        return dark, (x1 - x0) * (y1 - y0)

    def is_blank(
        self,
        x0: int,
        y0: int,
        x1: int,
        y1: int,
        threshold: int = 245,
        tolerance: float = 0.002,
    ) -> bool:
        """True when the pixel box [x0, x1) x [y0, y1) is (almost) white.

        A pixel darker than ``threshold`` counts as ink; up to ``tolerance``
        (fraction) ink pixels are tolerated (dust, anti-aliasing specks).
        """
        dark, total = self.dark_count(x0, y0, x1, y1, threshold)
        if total == 0:
            return True
        return dark <= tolerance * total


def parse_pgm(data: bytes) -> GrayImage:
    """Parse a binary PGM (P5, maxval < 256)."""
    pos = 0
    tokens: list[bytes] = []
    n = len(data)
    while len(tokens) < 4:
        while pos < n and data[pos : pos + 1].isspace():
            pos += 1
        if pos < n and data[pos : pos + 1] == b"#":
            while pos < n and data[pos : pos + 1] not in (b"\n", b"\r"):
                pos += 1
            continue
        start = pos
        while pos < n and not data[pos : pos + 1].isspace() and data[pos : pos + 1] != b"#":
            pos += 1
        if start == pos:
            raise ValueError("truncated PGM header")
        tokens.append(data[start:pos])
    pos += 1  # exactly one whitespace byte after maxval
    magic, w, h, maxval = tokens
    if magic != b"P5":
        raise ValueError(f"not a binary PGM: {magic!r}")
    width, height, maxv = int(w), int(h), int(maxval)
    if maxv > 255:
        raise ValueError("16-bit PGM not supported")
    pixels = data[pos : pos + width * height]
    if len(pixels) != width * height:
        raise ValueError("truncated PGM data")
    if maxv != 255:
        scale = bytes(min(255, round(v * 255 / maxv)) for v in range(256))
        pixels = pixels.translate(scale)
    return GrayImage(width, height, bytes(pixels))


_PGM_NUM_RE = re.compile(r"-(\d+)\.pgm$")


def render_gray_pages(
    path: Path,
    dpi: float,
    first: int | None = None,
    last: int | None = None,
    *,
    cropbox: bool = True,
) -> list[GrayImage]:
    """Render pages ``first``..``last`` (1-based) in one pdftoppm call.

    Pages are rendered as the reader sees them (``/Rotate`` applied) and,
    with ``cropbox`` (default), only the visible crop box.
    """
    path = _check_input(path)
    first = first or 1
    if last is None:
        last = page_count(path)
    if last < first:
        return []
    timeout = TIMEOUT_RENDER_BASE + TIMEOUT_RENDER_PER_PAGE * (last - first + 1)
    with tempfile.TemporaryDirectory(prefix="meetingdocs-ppm-") as tmp:
        prefix = Path(tmp) / "p"
        argv: list[str | Path] = ["pdftoppm", "-gray", "-r", f"{dpi:g}", "-f", str(first), "-l", str(last)]
        if cropbox:
            argv.append("-cropbox")
        argv += ["-forcenum", path, prefix]
        _poppler(argv, timeout=timeout, pdf=path)
        files = []
        for f in Path(tmp).glob("p-*.pgm"):
            m = _PGM_NUM_RE.search(f.name)
            if m:
                files.append((int(m.group(1)), f))
        files.sort()
        numbers = [num for num, _ in files]
        if numbers != list(range(first, last + 1)):
            raise PopplerError(
                f"pdftoppm renderade inte alla sidor {first}–{last} i {path} (fick {numbers}).", path
            )
        images = []
        for _, f in files:
            try:
                images.append(parse_pgm(f.read_bytes()))
            except ValueError as exc:
                raise PopplerError(f"pdftoppm gav en oläsbar bild för {path}: {exc}", path) from None
        return images


def render_gray(path: Path, page: int, dpi: float, *, cropbox: bool = True) -> GrayImage:
    """Render one page (1-based) as grayscale, as the reader sees it."""
    if page < 1:
        raise ValueError("page is 1-based")
    return render_gray_pages(path, dpi, page, page, cropbox=cropbox)[0]
