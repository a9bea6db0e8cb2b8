"""Local images in Markdown: where they are and whether they can be used.

An image is a PNG or JPEG file inside the meeting folder, named relative to
the Markdown file that shows it. Anything else (a web address, a file
outside the meeting folder, a missing, broken or unsupported file) is
refused with a Swedish message that says what to do. The build never
fetches anything from the network.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import unquote

from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image as DocxImage
from PIL import Image, UnidentifiedImageError

from . import limits
from .errors import quote
from .names import locate, suggestion

log = logging.getLogger(__name__)

SUPPORTED_FORMATS = ("PNG", "JPEG")
MAX_PIXELS = limits.MAX_IMAGE_PIXELS
MAX_BYTES = limits.MAX_IMAGE_BYTES
DEFAULT_DPI = 96.0  # when the file does not say (screenshots)

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_WINDOWS_DRIVE_RE = re.compile(r"^[a-zA-Z]:[\\/]")
_NETWORK_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp"})
_FIX_SAVE_LOCALLY = (
    "Spara bilden som en PNG- eller JPEG-fil i ärendets mapp (i sammanträdets mapp) och skriv "
    "filnamnet, till exempel ![Karta över området](karta.png)."
)


class ImageProblem(Exception):
    """Why an image cannot be used; the message is Swedish and says what to do."""


@dataclass(frozen=True)
class LocalImage:
    path: Path
    width_px: int
    height_px: int
    dpi: tuple[float, float]

    def natural_size(self) -> tuple[int, int]:
        """Width and height in EMU at the image's own resolution."""
        emu_per_inch = 914400
        return (int(self.width_px * emu_per_inch / self.dpi[0]), int(self.height_px * emu_per_inch / self.dpi[1]))


def resolve_image(src: str, base_dir: Optional[Path], root_dir: Optional[Path]) -> LocalImage:
    """The usable image that ``src`` (as written in the Markdown) names.

    Raises :class:`ImageProblem` when it cannot be used.
    """
    src = src.strip()
    _refuse_addresses(src)
    if base_dir is None:
        raise ImageProblem(f"bilden '{quote(src)}' kan inte visas här: det är okänt vilken mapp den ligger i.")
    try:
        return inspect_image(_local_path(src, base_dir, root_dir), src)
    except (OSError, ValueError) as exc:  # a name the file system refuses: too long, invalid
        log.debug("image %r: %r", src, exc)
        raise ImageProblem(f"bilden '{quote(src)}' går inte att läsa: filnamnet är ogiltigt eller för långt. "
                           "Byt namn på bilden till ett kort namn och skriv det.") from exc


def _refuse_addresses(src: str) -> None:
    if not src:
        raise ImageProblem("bilden saknar filnamn. Skriv ![Vad bilden visar](filnamn.png).")
    if _WINDOWS_DRIVE_RE.match(src) or (src.startswith(("/", "\\")) and not src.startswith(("//", "\\\\"))):
        raise ImageProblem(
            f"bilden '{quote(src)}' anges med en fullständig sökväg. Kopiera bilden till ärendets mapp och skriv "
            "sökvägen från Markdown-filens mapp, till exempel karta.png eller bilder/karta.png."
        )
    scheme = _SCHEME_RE.match(src)
    name = scheme.group(1).lower() if scheme else ""
    if src.startswith(("//", "\\\\")) or name in _NETWORK_SCHEMES:
        raise ImageProblem(
            f"bilden '{quote(src)}' ligger på internet eller en server. Bilder måste sparas i sammanträdets "
            "mapp, eftersom bygget aldrig hämtar något från nätet: handlingarna ska bli desamma varje gång "
            f"och inte bero på en webbplats. {_FIX_SAVE_LOCALLY}"
        )
    if name == "data":
        raise ImageProblem(
            "bilden är inklistrad i texten som en data:-adress, som inte kan granskas eller tas med. "
            + _FIX_SAVE_LOCALLY
        )
    if name == "file":
        raise ImageProblem(
            f"bilden '{quote(src)}' anges som en file:-adress. Kopiera bilden till ärendets mapp och skriv "
            "bara filnamnet, till exempel ![Karta över området](karta.png)."
        )
    if name:
        raise ImageProblem(f"bilden '{quote(src)}' är ingen fil (adressen börjar med '{name}:'). "
                           + _FIX_SAVE_LOCALLY)


def _local_path(src: str, base_dir: Path, root_dir: Optional[Path]) -> Path:
    written = src.replace("\\", "/")
    candidates = [locate(base_dir, written), locate(base_dir, unquote(written))]
    path = next((c for c in candidates if c.exists()), candidates[-1])
    resolved = path.resolve()
    root = (root_dir or base_dir).resolve()
    if not resolved.is_relative_to(root):
        raise ImageProblem(
            f"bilden '{quote(src)}' ligger utanför sammanträdets mapp {root}. Kopiera bilden till ärendets mapp "
            "och skriv bara filnamnet."
        )
    if not resolved.exists():
        raise ImageProblem(_missing_message(src, path))
    if not resolved.is_file():
        raise ImageProblem(f"bilden '{quote(src)}' är en mapp, inte en bildfil. Skriv bildfilens namn.")
    return resolved


def _missing_message(src: str, path: Path) -> str:
    folder = path.parent
    files = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    hint = suggestion(path.name, files, cutoff=0.75)
    return (f"bilden '{quote(src)}' finns inte i {folder}.{hint} Kontrollera filnamnet (stora och små bokstäver "
            "räknas) och att bilden är sparad i ärendets mapp.")


# Images found sound, by (path, modification time, size): the load-time check
# and the rendering look at the same files, and a photo takes a while to decode.
_sound: dict[tuple[Path, int, int], LocalImage] = {}


def inspect_image(path: Path, src: str) -> LocalImage:
    """Open and fully decode ``path``; refuse anything but a sound PNG or JPEG."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _sound:
        _sound[key] = _inspect(path, src)
    return _sound[key]


def _inspect(path: Path, src: str) -> LocalImage:
    if path.suffix.lower() in (".svg", ".svgz") or _looks_like_svg(path):
        raise ImageProblem(
            f"bilden '{quote(src)}' är en SVG-bild, som inte kan tas med. Spara den som PNG (exportera från "
            "programmet som gjorde den) och ändra filnamnet i texten."
        )
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageProblem(
            f"bilden '{quote(src)}' är {size / 1_000_000:.0f} MB; högst {MAX_BYTES // 1_000_000} MB går att "
            "ta med. Förminska bilden eller spara den som JPEG."
        )
    width, height, dpi = _decode(path, src)
    try:
        DocxImage.from_file(str(path))
    except (UnrecognizedImageError, ValueError, KeyError, IndexError, OSError) as exc:
        log.debug("python-docx cannot read %s: %r", path, exc)
        raise ImageProblem(_broken_message(src)) from exc
    return LocalImage(path, width, height, dpi)


def _decode(path: Path, src: str) -> tuple[int, int, tuple[float, float]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = image.format or "okänd"
                if kind not in SUPPORTED_FORMATS:
                    raise ImageProblem(
                        f"bilden '{quote(src)}' är en {kind}-bild, som inte kan tas med. Spara den som PNG eller JPEG "
                        "(till exempel med Paint eller Förhandsvisning) och ändra filnamnet i texten."
                    )
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large(src, width, height)
                image.load()
                return width, height, _dpi(image.info.get("dpi"))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem(f"bilden '{quote(src)}' är för stor. Förminska den och spara den på nytt.") from exc
    except PermissionError as exc:
        raise ImageProblem(f"bilden '{quote(src)}' går inte att läsa: behörighet saknas. Kontrollera filens "
                           "rättigheter eller spara en kopia.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        log.debug("Pillow cannot read %s: %r", path, exc)
        raise ImageProblem(_broken_message(src)) from exc


def _too_large(src: str, width: int, height: int) -> ImageProblem:
    return ImageProblem(
        f"bilden '{quote(src)}' är för stor ({width}×{height} bildpunkter). Förminska den till högst "
        f"{MAX_PIXELS // 1_000_000} miljoner bildpunkter (till exempel 4000×3000) och spara den på nytt."
    )


def _broken_message(src: str) -> str:
    return (f"bilden '{quote(src)}' är skadad eller ingen bild som går att läsa. Spara eller exportera "
            "bilden på nytt som PNG eller JPEG.")


def _dpi(value) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in value)
    except (TypeError, ValueError):
        return DEFAULT_DPI, DEFAULT_DPI
    if not (30 <= x <= 2400 and 30 <= y <= 2400):
        return DEFAULT_DPI, DEFAULT_DPI
    return x, y


def _looks_like_svg(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(512).lstrip()
    except OSError:
        return False
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head)
