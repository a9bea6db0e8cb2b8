"""Whether the last build of a meeting is still current, so that building again would change nothing.

A finished build leaves a record in the cache: a digest of everything it
was made from (every file of the meeting's folder, the committee files and
the rest of ``sources/`` outside other meetings' folders, the templates,
this program's code, the LibreOffice installation, the options, today's
date, which the personal-data guard reads numbers against) and the SHA-256
of every file it published, with the warnings it gave. When a new build
finds the same digest and the published files unchanged on disk, it gives
the same warnings again and stops: the files in ``packets/`` are already
what it would make. Any difference, even one byte or a file opened and
saved in ``packets/``, and the build runs (reusing what the cache holds).

Light on purpose: the check runs before the heavy libraries are imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import cache as cache_module
from .cache import Cache
from .errors import display_path
from .meetings import MEETING_ID, find_meeting

log = logging.getLogger(__name__)

RECORD_KIND = "bygge"
IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")  # written by file browsers, never read by a build


@dataclass(frozen=True)
class Inputs:
    """What a build of one meeting is made from, as one digest."""

    command: str
    meeting_folder: Path  # in sources/
    target: Path  # the meeting's folder in packets/
    digest: str


def packet_inputs(sources: Path, date: str, out_root: Path, templates: Path, *, strict: bool) -> Inputs:
    """The inputs of ``build.py packet DATE``: the meeting's folder is found (or the date refused) first."""
    folder = find_meeting(sources, date)
    return inputs("packet", sources, folder, out_root / folder.name, templates, {"strict": strict})


def reused_packet(sources: Path, date: str, out_root: Path, templates: Path, *, strict: bool,
                  cache: Cache) -> Record | None:
    """The record of the packet in ``packets/`` when a build now would make the same files; its warnings are
    given again. None when something changed (or there is no record): then build."""
    found = current(cache, packet_inputs(sources, date, out_root, templates, strict=strict))
    if found is not None:
        replay(found)
        log.info("Inget har ändrats sedan kallelsen byggdes senast; filerna i %s är redan aktuella.",
                 display_path(found.target))
    return found


def inputs(command: str, sources: Path, meeting_folder: Path, target: Path, templates: Path,
           options: dict[str, Any]) -> Inputs:
    """The digest of everything a build of ``meeting_folder`` reads; computed before it reads anything."""
    files = sorted(_source_files(sources, meeting_folder)) + sorted(_files_under(templates))
    return Inputs(command, meeting_folder, target, cache_module.key(
        command, cache_module.code_version(), options, dt.date.today().isoformat(), soffice_stamp(),
        [(str(path), cache_module.file_digest(path)) for path in files],
    ))


def _source_files(sources: Path, meeting_folder: Path) -> Iterator[Path]:
    """The meeting's own files and everything in sources/ that belongs to no other meeting (committees)."""
    yield from _files_under(meeting_folder)
    if not sources.is_dir():
        return
    for entry in sources.iterdir():
        if entry.is_dir() and MEETING_ID.match(entry.name):
            continue
        yield from [entry] if entry.is_file() else _files_under(entry)


def _files_under(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            if name not in IGNORED_NAMES:
                yield Path(root) / name


def soffice_stamp() -> str:
    """Which LibreOffice would convert, without starting it: the program's path, size and time of change."""
    from .tools.libreoffice import soffice_path  # light: the module imports nothing heavy at load

    try:
        program = Path(shutil.which(soffice_path()) or soffice_path()).resolve()
    except Exception:  # noqa: BLE001 - not installed: the build itself says how to install it
        return "ingen"
    parts = []
    for path in (program, program.parent / "soffice.bin", program.parent / "versionrc"):
        with contextlib.suppress(OSError):
            info = path.stat()
            parts.append(f"{path}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}")
    return "|".join(parts)


# ----------------------------------------------------------------- record


@dataclass
class Record:
    """What a finished build published and said."""

    target: Path  # the meeting's folder in packets/
    inputs: str
    outputs: dict[str, str]  # path relative to the target -> SHA-256
    warnings: list[tuple[str, str]]  # (logger name, message), in the order given
    result: dict[str, Any] = field(default_factory=dict)  # what the command prints (pages, ...)


def _record_key(inputs: Inputs) -> str:
    return cache_module.key(RECORD_KIND, inputs.command, str(inputs.target.resolve()))


def remember(cache: Cache, inputs: Inputs, outputs: list[Path], warnings: list[tuple[str, str]],
             result: dict[str, Any]) -> None:
    """Record a published build (``outputs``: its files in the target folder)."""
    digests = {str(path.relative_to(inputs.target)): cache_module.file_digest(path) for path in outputs}
    cache.store(RECORD_KIND, _record_key(inputs),
                data={"inputs": inputs.digest, "outputs": digests, "warnings": warnings, "result": result})


def current(cache: Cache, inputs: Inputs) -> Record | None:
    """The record of the last build when it was made from the same inputs and its files are untouched."""
    data = cache.fetch_data(RECORD_KIND, _record_key(inputs))
    if not data or data.get("inputs") != inputs.digest or not data.get("outputs"):
        return None
    for name, digest in data["outputs"].items():
        path = inputs.target / name
        try:
            if cache_module.file_digest(path) != digest:
                return None
        except OSError:
            return None
    return Record(inputs.target, data["inputs"], data["outputs"], [tuple(w) for w in data.get("warnings", [])],
                  data.get("result", {}))


def replay(record: Record) -> None:
    """Give the warnings of the build that made the files again: they still hold."""
    for name, message in record.warnings:
        logging.getLogger(name).warning("%s", message)


@contextlib.contextmanager
def warnings_given() -> Iterator[list[tuple[str, str]]]:
    """Collect the warnings this program logs inside the block, as (logger name, message)."""
    given: list[tuple[str, str]] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            given.append((record.name, record.getMessage()))

    handler = _Collect(logging.WARNING)
    package = logging.getLogger(__name__.split(".")[0])
    package.addHandler(handler)
    try:
        yield given
    finally:
        package.removeHandler(handler)
