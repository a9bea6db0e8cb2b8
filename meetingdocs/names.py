"""File names as the secretary writes them and as the disk stores them.

macOS writes å, ä and ö in file names decomposed (NFD: a + U+0308), most
editors and Windows composed (NFC: ä). Names are compared in NFC, case
sensitively, so a bilaga or case folder is found whichever form either side
uses. When a name is not found, the closest one is suggested, and names that
look the same but differ in invisible characters (a no-break space, a
zero-width space, a soft hyphen) are explained with their code points.
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

from .errors import quote

MAX_NAME_BYTES = 255  # one file or folder name, as Linux and macOS allow
_CONTROL_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "radbrytning", "\r": "vagnretur"}


def nfc(name: str) -> str:
    """``name`` in Unicode NFC. macOS writes ä in file names as a + U+0308 (NFD), editors as one character."""
    return unicodedata.normalize("NFC", name)


def entries_by_nfc(folder: Path) -> dict[str, Path]:
    """The entries of ``folder`` by their NFC name; empty when it cannot be listed."""
    try:
        return {nfc(entry.name): entry for entry in folder.iterdir()}
    except OSError:
        return {}


def locate(base: Path, relative: str) -> Path:
    """``base / relative``, each part that is not on disk as written matched to a name equal in NFC."""
    path = base
    for part in Path(relative).parts:
        exact = path / part
        if part in (".", "..") or _on_disk(exact):
            path = exact
        else:
            path = entries_by_nfc(path).get(nfc(part), exact)
    return path


def _on_disk(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):  # a name too long or with NUL: not there
        return False


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a file on disk (a control character, too long), or None."""
    if control := control_characters(name):
        return f"innehåller ett tecken som inte kan finnas i ett filnamn ({control})"
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in Path(name).parts):
        return f"är för långt för ett filnamn (högst {MAX_NAME_BYTES} byte mellan snedstrecken)"
    return None


def suggestion(wanted: str, names: list[str], cutoff: float = 0.5) -> str:
    """" Menade du 'x'?" for the name in ``names`` closest to ``wanted``, or "".

    When the two look the same, the message says which invisible characters differ.
    """
    wanted = nfc(wanted)
    by_nfc = {nfc(name): name for name in names}
    alike = [name for name in by_nfc if _visible(name) == _visible(wanted)]
    close = alike or difflib.get_close_matches(wanted, list(by_nfc), n=1, cutoff=cutoff)
    if not close:
        return ""
    hint = f" Menade du '{quote(close[0])}'?"
    if _visible(close[0]) == _visible(wanted) and close[0] != wanted:
        hint += f" {_invisible_difference(wanted, close[0])}"
    return hint


def _visible(text: str) -> str:
    """What a reader sees: compatibility forms folded, format and control characters dropped."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in folded
                   if unicodedata.category(c) not in ("Cf", "Cc"))


def control_characters(name: str) -> str:
    """The control characters (NUL, line breaks, ...) and lone surrogates in ``name`` as code points, or ""."""
    return _code_points("".join(dict.fromkeys(c for c in name if unicodedata.category(c) in ("Cc", "Cs"))))


def _code_points(text: str, most: int = 5) -> str:
    shown = " ".join(f"U+{ord(c):04X} ({unicodedata.name(c, _CONTROL_NAMES.get(c, 'styrtecken'))})"
                     for c in text[:most])
    return shown + (" …" if len(text) > most else "")


def _invisible_difference(written: str, on_disk: str, most: int = 3) -> str:
    """Names that look alike: which characters differ, as code points."""
    parts = []
    matcher = difflib.SequenceMatcher(None, written, on_disk, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            parts.append(f"det skrivna namnet har {_code_points(written[i1:i2])} där namnet på disken har "
                         f"{_code_points(on_disk[j1:j2])}")
        elif op == "delete":
            parts.append(f"det skrivna namnet har {_code_points(written[i1:i2])}, som namnet på disken saknar")
        elif op == "insert":
            parts.append(f"namnet på disken har {_code_points(on_disk[j1:j2])}, som det skrivna namnet saknar")
    return (f"Namnen ser likadana ut men skiljer sig i tecken som inte syns: {'; '.join(parts[:most])}. "
            "Skriv namnet för hand på nytt, eller byt namn på filen.")
