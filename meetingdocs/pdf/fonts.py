"""Liberation Sans for everything we draw ourselves (TOC, page stamps).

The fonts are located once (fontconfig first, then the known Debian paths),
registered with reportlab as ``LiberationSans`` / ``LiberationSans-Bold``
and embedded (subset) in every PDF that uses them.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import NamedTuple

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from meetingdocs.errors import MissingDependencyError
from meetingdocs.tools.run import ToolTimeout, run

log = logging.getLogger(__name__)

REGULAR = "LiberationSans"
BOLD = "LiberationSans-Bold"

# style name for fc-match, expected file name
_STYLES = {
    REGULAR: ("Regular", "LiberationSans-Regular.ttf"),
    BOLD: ("Bold", "LiberationSans-Bold.ttf"),
}

_FALLBACK_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)

_FC_MATCH_TIMEOUT = 20.0

_lock = threading.Lock()
_registered: "FontNames | None" = None


class FontNames(NamedTuple):
    regular: str
    bold: str


def _fc_match(style: str) -> Path | None:
    """Ask fontconfig for Liberation Sans in ``style``; None if unavailable."""
    try:
        proc = run(
            ["fc-match", "-f", "%{file}", f"Liberation Sans:style={style}"],
            timeout=_FC_MATCH_TIMEOUT,
            check=False,
        )
    except (FileNotFoundError, ToolTimeout, OSError) as exc:
        log.debug("fc-match not usable: %s", exc)
        return None
    if proc.returncode != 0:
        return None
    out = proc.stdout.decode("utf-8", "replace").strip()
    return Path(out) if out else None


def find_font_file(name: str) -> Path:
    """Path of the TTF file for ``REGULAR`` or ``BOLD``.

    Raises MissingDependencyError when Liberation Sans is not installed.
    """
    style, filename = _STYLES[name]
    candidate = _fc_match(style)
    # fc-match always answers with *some* font; accept only the real thing
    if candidate is not None and candidate.name == filename and candidate.is_file():
        return candidate
    if candidate is not None:
        log.debug("fc-match returned %s for Liberation Sans %s; trying known paths", candidate, style)
    for directory in _FALLBACK_DIRS:
        path = directory / filename
        if path.is_file():
            return path
    raise MissingDependencyError(
        f"Typsnittet Liberation Sans ({filename}) saknas. Det behövs för "
        "innehållsförteckning och sidnumrering.\n"
        "Installera paketet fonts-liberation2 med:\n"
        "  sudo apt-get install -y fonts-liberation2"
    )


def register_fonts() -> FontNames:
    """Register Liberation Sans Regular/Bold with reportlab (once).

    Returns the reportlab font names to use with ``setFont``.
    """
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        known = set(pdfmetrics.getRegisteredFontNames())
        for name in (REGULAR, BOLD):
            if name in known:
                continue
            path = find_font_file(name)
            log.debug("registering %s from %s", name, path)
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # no italics installed by us: italic falls back to the upright faces
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, boldItalic=BOLD)
        _registered = FontNames(REGULAR, BOLD)
        return _registered
