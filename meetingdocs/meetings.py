"""Where a meeting's sources are: the folders of ``sources/`` and the one a date selects.

Kept apart from the loading (``sources.py``) so that finding a meeting, and
telling that nothing in it changed since the last build, needs none of the
heavy libraries that reading and checking the files does.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import BadArgsError, display_path

COMMITTEES_DIR = "namnder"
MEETING_FILE = "mote.yaml"
MEETING_ID = re.compile(r"^\d{4}-\d{2}-\d{2}(-[a-z0-9][a-z0-9-]*)?$")


def list_meetings(sources: Path) -> list[str]:
    """Meeting folder names in ``sources``, oldest first."""
    if not sources.is_dir():
        return []
    return sorted(
        p.name for p in sources.iterdir() if p.is_dir() and MEETING_ID.match(p.name) and (p / MEETING_FILE).is_file()
    )


def find_meeting(sources: Path, date: str, command: str = "packet") -> Path:
    """The meeting folder that ``date`` selects (a date or a full folder name).

    ``command`` is the make target named in the usage message.
    """
    known = list_meetings(sources)
    listing = "\n".join(f"  {m}" for m in known) or "  (inga: sources/ har inga sammanträden ännu)"
    usage = (
        f"Ange sammanträdet så här:  make {command} DATE=ÅÅÅÅ-MM-DD\n"
        f"Sammanträden i {display_path(sources)}/:\n{listing}"
    )
    if not date:
        raise BadArgsError(f"Inget datum angavs.\n{usage}")
    if not MEETING_ID.match(date) or not _is_date(date[:10]):
        raise BadArgsError(f"'{date}' är inget giltigt datum (ÅÅÅÅ-MM-DD).\n{usage}")
    if date in known:
        return sources / date
    matches = [m for m in known if m.startswith(date + "-")]
    if len(matches) == 1:
        return sources / matches[0]
    if len(matches) > 1:
        choices = ", ".join(matches)
        raise BadArgsError(
            f"Flera nämnder sammanträder {date}: {choices}. Ange hela mappnamnet, "
            f"till exempel make {command} DATE={matches[0]}"
        )
    raise BadArgsError(f"Det finns inget sammanträde {date} i {sources}/.\n{usage}")


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
