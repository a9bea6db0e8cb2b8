"""A cache of the build's expensive products, shared by every build on this machine.

An entry is a set of files (a converted PDF, the renderings of a received
bilaga's pages, the record of a finished build) stored under a key made of
everything that determines it: the bytes it was made from, the template,
the tool versions and options, and this program's own code. A changed input
gives another key, so an entry is never stale; old entries are simply not
asked for any more and go when the cache outgrows its size limit (least
recently used first).

Safety, whatever happens to the builds that use it:

* An entry is written in a private temporary folder and renamed into place
  in one step, with a manifest of the SHA-256 of every file. A build killed
  while writing leaves only a temporary folder, which a later build removes.
* Every file read from the cache is checked against the manifest as it is
  copied out; an entry that does not match (a disk error, a hand edit) is
  removed and counts as missing, so the product is made anew.
* Two builds that make the same entry at once both succeed; the first
  rename wins and the other build's copy is discarded. An entry removed by
  one build while another reads it is a miss for the reader.

The folder is ``$MEETINGDOCS_CACHE`` or ``.cache/meetingdocs`` in the
project (git-ignored; ``make clean`` empties it). ``MEETINGDOCS_CACHE=av``
turns the cache off. ``$MEETINGDOCS_CACHE_MB`` bounds its size (default
1000 MB).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / ".cache" / "meetingdocs"
CACHE_ENV = "MEETINGDOCS_CACHE"
LIMIT_ENV = "MEETINGDOCS_CACHE_MB"
OFF_VALUES = frozenset({"av", "off", "0", "nej", "no"})
DEFAULT_LIMIT_MB = 1000
FORMAT = "v1"  # the layout of the folder; another value starts afresh
MANIFEST = "innehall.json"
PRUNE_TO = 0.8  # after pruning, the cache holds at most this share of its limit
STALE_TEMPORARY_SECONDS = 3600  # a temporary folder this old belongs to a killed build
CHUNK = 1 << 20
SINGLE = "fil"  # the name of the file in an entry of one file


@dataclass(frozen=True)
class Hit:
    """Files copied out of the cache, by the names they were stored under, and the entry's small data."""

    files: dict[str, Path]
    data: dict[str, Any]


class Cache:
    """The cache folder; ``Cache(None)`` is a cache that is off (never hits, stores nothing)."""

    def __init__(self, folder: Path | None, limit_bytes: int = DEFAULT_LIMIT_MB * 1_000_000):
        self.folder = Path(folder) if folder is not None else None
        self.limit_bytes = limit_bytes
        self.hits = 0
        self.misses = 0
        self.stored = 0

    @classmethod
    def from_environment(cls) -> Cache:
        """The cache the environment asks for (see the module's docstring)."""
        wanted = os.environ.get(CACHE_ENV, "").strip()
        if wanted.lower() in OFF_VALUES:
            return cls(None)
        folder = Path(wanted).expanduser() if wanted else DEFAULT_FOLDER
        return cls(folder, _limit_from_environment())

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    # ----------------------------------------------------------------- read

    def fetch(self, kind: str, key: str, into: Path) -> Hit | None:
        """Copy the entry's files into the folder ``into``; None when there is no whole, intact entry."""
        entry = self._entry(kind, key)
        if entry is None:
            return None
        manifest = _read_manifest(entry)
        if manifest is None:
            self.misses += 1
            return None
        into.mkdir(parents=True, exist_ok=True)
        files = {}
        for name, digest in manifest["files"].items():
            target = into / name
            if not _copy_checked(entry / name, target, digest):
                log.debug("cache entry %s/%s is damaged (%s): made anew", kind, key, name)
                target.unlink(missing_ok=True)
                self._discard(entry)
                self.misses += 1
                return None
            files[name] = target
        _touch(entry / MANIFEST)
        self.hits += 1
        return Hit(files, manifest.get("data", {}))

    def fetch_file(self, kind: str, key: str, target: Path) -> dict[str, Any] | None:
        """An entry of one file (``store_file``) copied to ``target``; its data, or None when there is none."""
        staging = target.parent / f".{target.name}.cache"
        try:
            hit = self.fetch(kind, key, staging)
            if hit is None or SINGLE not in hit.files:
                return None
            os.replace(hit.files[SINGLE], target)
            return hit.data
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def fetch_data(self, kind: str, key: str) -> dict[str, Any] | None:
        """The small data of an entry stored without files; None when missing or damaged."""
        entry = self._entry(kind, key)
        manifest = _read_manifest(entry) if entry is not None else None
        if manifest is None:
            self.misses += 1 if entry is not None else 0
            return None
        _touch(entry / MANIFEST)
        self.hits += 1
        return manifest.get("data", {})

    # ---------------------------------------------------------------- write

    def store(self, kind: str, key: str, files: dict[str, Path] | None = None,
              data: dict[str, Any] | None = None) -> None:
        """Put an entry in place, all of it or nothing; a failure to write is only logged (it is a cache)."""
        entry = self._entry(kind, key)
        if entry is None:
            return
        staging = self.folder / FORMAT / "tmp" / uuid.uuid4().hex
        try:
            staging.mkdir(parents=True)
            digests = {name: _copy_hashed(source, staging / name) for name, source in (files or {}).items()}
            manifest = {"files": digests, "data": data or {}, "kind": kind}
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            entry.parent.mkdir(parents=True, exist_ok=True)
            self._replace_entry(staging, entry)
            self.stored += 1
        except OSError as exc:
            log.debug("could not store %s/%s in the cache: %s", kind, key, exc)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def store_file(self, kind: str, key: str, path: Path, data: dict[str, Any] | None = None) -> None:
        """An entry of the one file ``path`` (and small data), for ``fetch_file``."""
        self.store(kind, key, {SINGLE: path}, data)

    def _replace_entry(self, staging: Path, entry: Path) -> None:
        try:
            os.rename(staging, entry)
        except OSError:
            if not entry.is_dir():
                raise
            # Another build stored it first, or an old damaged copy is there: keep a whole one.
            if _read_manifest(entry) is None:
                self._discard(entry)
                os.rename(staging, entry)

    # -------------------------------------------------------------- upkeep

    def prune(self) -> int:
        """Remove the least recently used entries while the cache is over its limit; return bytes freed."""
        if self.folder is None:
            return 0
        self._remove_stale_temporaries()
        entries = list(self._entries())
        total = sum(size for _, _, size in entries)
        if total <= self.limit_bytes:
            return 0
        freed = 0
        for _, entry, size in sorted(entries):
            if total - freed <= self.limit_bytes * PRUNE_TO:
                break
            self._discard(entry)
            freed += size
        log.debug("cache over %d bytes: removed %d bytes of old entries", self.limit_bytes, freed)
        return freed

    def clear(self) -> None:
        """Empty the cache: only what it keeps there (the folder may be one the user named for it)."""
        if self.folder is not None:
            shutil.rmtree(self.folder / FORMAT, ignore_errors=True)

    def _entries(self) -> Iterator[tuple[float, Path, int]]:
        """(last use, folder, bytes) of every entry."""
        base = self.folder / FORMAT / "poster"
        for manifest in base.glob(f"*/*/*/{MANIFEST}"):
            entry = manifest.parent
            try:
                used = manifest.stat().st_mtime
                size = sum(f.stat().st_size for f in entry.iterdir())
            except OSError:
                continue
            yield used, entry, size

    def _remove_stale_temporaries(self) -> None:
        now = time.time()
        for staging in (self.folder / FORMAT / "tmp").glob("*"):
            with contextlib.suppress(OSError):
                if now - staging.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                    shutil.rmtree(staging, ignore_errors=True)

    def _discard(self, entry: Path) -> None:
        """Take an entry out of sight in one step, then delete it (a reader holding a file keeps it)."""
        trash = self.folder / FORMAT / "tmp" / f"bort-{uuid.uuid4().hex}"
        try:
            trash.parent.mkdir(parents=True, exist_ok=True)
            os.rename(entry, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def _entry(self, kind: str, key: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / FORMAT / "poster" / kind / key[:2] / key


def _limit_from_environment() -> int:
    value = os.environ.get(LIMIT_ENV, "").strip()
    if not value:
        return DEFAULT_LIMIT_MB * 1_000_000
    try:
        megabytes = float(value.replace(",", "."))
    except ValueError:
        megabytes = -1
    if megabytes < 0:
        from .errors import BadArgsError

        raise BadArgsError(f"Miljövariabeln {LIMIT_ENV} ska vara ett tal (hur många megabyte cachen får ta), "
                           f"men är {value!r}. Rätta värdet eller ta bort variabeln.")
    return int(megabytes * 1_000_000)


def _read_manifest(entry: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def _copy_hashed(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def _copy_checked(source: Path, target: Path, expected: str) -> bool:
    try:
        return _copy_hashed(source, target) == expected
    except OSError:
        return False


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)


# ------------------------------------------------------------------- keys


def key(*parts: Any) -> str:
    """A key for the cache: SHA-256 over ``parts`` (str, bytes, int, None, lists, dicts; a Path counts with its
    bytes). Each part is framed with its type and length, so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        _feed(digest, part)
    return digest.hexdigest()


def _feed(digest, part: Any) -> None:
    if isinstance(part, Path):
        digest.update(b"F")
        digest.update(file_digest(part).encode())
        return
    if isinstance(part, bytes):
        kind, data = b"B", part
    elif isinstance(part, str):
        kind, data = b"S", part.encode("utf-8")
    else:
        kind, data = b"J", json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    digest.update(kind + len(data).to_bytes(8, "big") + data)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def document_digest(path: Path) -> str:
    """SHA-256 of what a .docx or .odt holds: its parts' names and contents, not the ZIP's timestamps (which
    change with every save of the same content). Other files: their bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            digest = hashlib.sha256(b"zip")
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                data = archive.read(info)
                for piece in (info.filename.encode("utf-8"), data):
                    digest.update(len(piece).to_bytes(8, "big") + piece)
            return digest.hexdigest()
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return file_digest(path)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this program's own code: any change to it may change what it makes."""
    package = Path(__file__).resolve().parent
    return key(*[f"{path.relative_to(package)}:{file_digest(path)}" for path in sorted(package.rglob("*.py"))])


def files_digest(paths: Iterable[Path], base: Path) -> dict[str, str]:
    """{path relative to ``base`` (or absolute outside it): SHA-256} of every file in ``paths``."""
    out = {}
    for path in paths:
        try:
            name = str(path.relative_to(base))
        except ValueError:
            name = str(path)
        out[name] = file_digest(path)
    return out
