"""Build plumbing shared by the packet, the protokoll and publishing.

* ``work_folder``: a private temporary folder beside the outputs, held by a
  lock for as long as the build lives, so that a later build can tell a
  folder left by a killed build from one in use, kill what that build left
  running (LibreOffice) and remove it.
* ``check_tools``: fail early, with the install command, when a program is
  missing.
* ``template_for``: a committee's own template or the shared one.
* ``publish``: move a complete, staged set of files into ``packets/MEETING/``
  so that either every file of the new set is in place or none is.
* ``Converter``: LibreOffice's conversions through the cache: a document
  converted before, with the same LibreOffice and options, is taken from
  there.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Iterator

from . import cache as cache_module
from . import uptodate
from .cache import Cache
from .errors import PublishError, display_path
from .model import Meeting
from .tools import libreoffice, poppler

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
LOCK_FILE = ".lås"
BACKUP_PREFIX = ".ersatt-"
KEPT_PREFIX = "tidigare-filer-"  # a backup kept because it holds the only copy of the old files
GRACE_SECONDS = 60  # a folder this young without a lock file may belong to a build about to take it
# Only LibreOffice is killed on behalf of a dead build; a PDF reader or editor
# that has a file in a work folder open is never touched (names as in /proc/PID/comm).
LIBREOFFICE_PROGRAMS = frozenset({"soffice", "soffice.bin", "oosplash"})


# ------------------------------------------------------------- work folder


@contextlib.contextmanager
def work_folder(out_root: Path, meeting_id: str) -> Iterator[Path]:
    """A temporary folder beside the outputs, so that publishing is a rename.

    The folder holds an exclusive lock while the build runs. Folders whose
    lock is free belong to builds that were killed (power cut, kill -9):
    the programs they left running are killed and the folders removed.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    remove_abandoned(out_root)
    with tempfile.TemporaryDirectory(prefix=f".bygge-{meeting_id}-", dir=out_root) as tmp:
        folder = Path(tmp)
        with open(folder / f"{LOCK_FILE}.ny", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            os.rename(folder / f"{LOCK_FILE}.ny", folder / LOCK_FILE)  # visible only once held
            try:
                yield folder
            finally:
                kill_processes_using(folder)


def remove_abandoned(out_root: Path) -> list[Path]:
    """Remove work and backup folders that no living build holds."""
    removed = []
    leftovers = [*out_root.glob(".bygge-*"), *out_root.glob(f"*/{BACKUP_PREFIX}*"),
                 *out_root.glob(f"*/*/{BACKUP_PREFIX}*")]
    for old in sorted(leftovers):
        if not old.is_dir() or _in_use(old):
            continue
        if old.name.startswith(BACKUP_PREFIX) and any(old.iterdir()):
            kept = _keep(old)  # a publish killed mid-move: these may be the only copies of the old files
            log.warning("Ett avbrutet bygge lämnade tidigare filer efter sig; de ligger i %s.", display_path(kept))
            continue
        killed = kill_processes_using(old)
        if killed:
            log.info("Stoppade %d LibreOffice-process som ett avbrutet bygge lämnade kvar.", killed)
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def _in_use(folder: Path) -> bool:
    """Whether a living build may hold ``folder``; when in doubt, it does."""
    try:
        lock_path = folder / LOCK_FILE
        if not lock_path.exists():  # being created this moment, or from a build killed before its lock
            return time.time() - folder.stat().st_mtime < GRACE_SECONDS
        with open(lock_path) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # gone meanwhile, another user's, unreadable: leave it alone
        return True
    return False


def kill_processes_using(folder: Path) -> int:
    """SIGKILL every LibreOffice process whose command line names ``folder`` (Linux /proc)."""
    needle = str(folder.resolve()).encode()
    killed = 0
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            program = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if needle in cmdline and program in LIBREOFFICE_PROGRAMS:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
                log.debug("killed leftover process %s: %s", entry.name, cmdline.replace(b"\0", b" ")[:200])
            except (ProcessLookupError, PermissionError):
                pass
    return killed


# ------------------------------------------------------------------ tools


def check_tools(cache: Cache | None = None) -> str:
    """Fail early, with the install command, when a program is missing; return LibreOffice's identity."""
    identity = libreoffice_identity(cache or Cache(None))
    log.debug("LibreOffice %s, Poppler %s", identity, poppler.version())
    from .pdf import fonts  # reportlab: loaded only when a build runs

    fonts.register_fonts()
    return identity


TOOL_KIND = "verktyg"


def libreoffice_identity(cache: Cache) -> str:
    """LibreOffice's version and installation. Asking the version starts soffice (a third of a second), so
    the answer is kept in the cache for as long as the installation's files are unchanged."""
    libreoffice.soffice_path()  # missing: says how to install it
    stamp = uptodate.soffice_stamp()
    key = cache_module.key(TOOL_KIND, stamp)
    known = cache.fetch_data(TOOL_KIND, key)
    if not known or not known.get("version"):
        known = {"version": libreoffice.version()}
        cache.store(TOOL_KIND, key, data=known)
    return f"{known['version']} ({stamp})"


# -------------------------------------------------------------- conversion

PDF_KIND = "pdf"


@dataclass
class Converter:
    """Converts documents to PDF with LibreOffice, taking what it converted before from the cache.

    A converted PDF is stored under a key of the document's content (its
    parts, not the ZIP's timestamps) and name, LibreOffice's identity and
    export options, the private profile's settings and this program's code
    (which post-processes the PDF). Only documents not found are converted,
    all in one call (in parallel); they are stored once all are done.
    """

    cache: Cache
    profile_dir: Path
    libreoffice: str = ""  # identity, from check_tools()
    converted: list[Path] = field(default_factory=list)  # documents LibreOffice converted (not from the cache)

    def convert(self, sources: list[Path], outdir: Path) -> list[Path]:
        """Like ``libreoffice.convert_to_pdf``: ``outdir / (stem + ".pdf")`` for each source, in order."""
        outdir.mkdir(parents=True, exist_ok=True)
        keys = [self.key(source) for source in sources]
        missing = [i for i, key in enumerate(keys) if self.cache.fetch(PDF_KIND, key, outdir) is None]
        if missing:
            made = libreoffice.convert_to_pdf([sources[i] for i in missing], outdir, profile_dir=self.profile_dir)
            self.converted += [sources[i] for i in missing]
            for i, pdf in zip(missing, made):
                self.cache.store(PDF_KIND, keys[i], {pdf.name: pdf})
        log.debug("%d of %d document(s) taken from the cache", len(sources) - len(missing), len(sources))
        return [outdir / f"{source.stem}.pdf" for source in sources]

    def key(self, source: Path) -> str:
        if not self.libreoffice:
            self.libreoffice = libreoffice_identity(self.cache)
        return cache_module.key(PDF_KIND, source.name, cache_module.document_digest(source), self.libreoffice,
                                libreoffice.pdf_filter(), libreoffice.PROFILE_SETTINGS, cache_module.code_version())


def template_name(key: str) -> str:
    """The template a generated document was made with, from its work-folder key.

    '01-1-tjansteskrivelse' -> 'tjansteskrivelse.docx', 'utdrag-12' -> 'utdrag.docx'.
    """
    kind = next((part for part in key.split("-") if part.isalpha()), key)
    return f"{kind}.docx"


def template_for(templates: Path, meeting: Meeting, name: str) -> Path:
    """A committee may override a template in templates/<nämnd>/."""
    own = templates / meeting.committee.key / name
    return own if own.is_file() else templates / name


# ---------------------------------------------------------------- publish


def publish(target: Path, staged: dict[str, Path], obsolete: tuple[str, ...] = ()) -> list[Path]:
    """Move the staged set (name -> file or folder) into ``target``: all or nothing.

    ``obsolete`` names files of the set that the new build does not make (an
    anslagsbevis of a protokoll that is no longer justerat): they are
    removed with the same all-or-nothing guarantee.

    Each existing file of the set is first moved aside into a backup folder
    inside ``target``, then the new one moved in. If any step fails, the new
    files are taken out again and the old ones put back, and a
    ``PublishError`` says which file could not be replaced, why, and what the
    folder holds now.
    """
    outcome: list[Path] | PublishError | None = None
    try:
        with signals_held():
            try:
                with _locked(target):
                    outcome = _publish(target, staged, obsolete)
            except PublishError as exc:
                outcome = exc
            except OSError as exc:  # the folder itself cannot be made, locked or written
                outcome = PublishError(f"{display_path(target)} kan inte skrivas: {_cause(exc)}\n"
                                       "Inget har ändrats där.")
    except KeyboardInterrupt:
        if isinstance(outcome, PublishError):
            raise outcome from None  # what happened to the files matters more than the interrupt
        if not isinstance(outcome, list):
            raise
        # Held during the move, so it arrived when every file was already in place.
        log.warning("Avbrutet först när de nya filerna redan låg på plats i %s.", display_path(target))
    if isinstance(outcome, PublishError):
        raise outcome
    return outcome


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Only one build publishes into ``target`` at a time (a lock on the folder itself)."""
    target.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _publish(target: Path, staged: dict[str, Path], obsolete: tuple[str, ...]) -> list[Path]:
    backup = Path(tempfile.mkdtemp(prefix=BACKUP_PREFIX, dir=target))
    moved_aside: list[str] = []
    placed: list[str] = []
    current = ""
    try:
        for name in obsolete:
            current = name
            if name not in staged and ((target / name).exists() or (target / name).is_symlink()):
                os.replace(target / name, backup / name)
                moved_aside.append(name)
        for name, source in staged.items():
            current = name
            destination = target / name
            if destination.exists() or destination.is_symlink():
                os.replace(destination, backup / name)
                moved_aside.append(name)
            os.replace(source, destination)
            placed.append(name)
    except OSError as exc:
        broken = _roll_back(target, backup, staged, placed, moved_aside)
        kept = _keep(backup) if broken else None
        raise PublishError(_publish_failure(target, current, exc, broken, kept)) from exc
    shutil.rmtree(backup, ignore_errors=True)
    return [target / name for name in staged]


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the moment a step must not be cut in two; they act right after."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _roll_back(target: Path, backup: Path, staged: dict[str, Path], placed: list[str],
               moved_aside: list[str]) -> list[str]:
    """Undo a half-done publish; return the names that could not be restored."""
    broken = []
    for name in reversed(placed):
        try:
            os.replace(target / name, staged[name])
        except OSError:
            broken.append(name)
    for name in reversed(moved_aside):
        try:
            os.replace(backup / name, target / name)
        except OSError:
            if name not in broken:
                broken.append(name)
    if not broken:
        shutil.rmtree(backup, ignore_errors=True)
    return broken


def _keep(backup: Path) -> Path:
    """Give a backup that holds the only copy of old files a visible name that no cleanup removes."""
    kept = backup.with_name(KEPT_PREFIX + time.strftime("%Y%m%d-%H%M%S"))
    try:
        os.replace(backup, kept)
    except OSError:
        return backup
    return kept


def _publish_failure(target: Path, name: str, exc: OSError, broken: list[str], kept: Path | None) -> str:
    where = display_path(target)
    message = f"{display_path(target / name)} kunde inte ersättas: {_cause(exc)}"
    if not broken:
        return (f"{message}\nInget har ändrats i {where}/: de tidigare filerna ligger kvar. "
                "Stäng filen (eller ta bort skrivskyddet) och kör kommandot igen.")
    names = ", ".join(broken)
    return (f"{message}\nDet gick inte heller att återställa allt: {names} i {where}/ stämmer inte med de "
            f"andra filerna. De tidigare versionerna finns i {display_path(kept)}/. "
            "Stäng filerna och kör kommandot igen; då skrivs alla filer på nytt.")


def _cause(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, errno.ETXTBSY):
        return ("filen är skrivskyddad, låst eller öppen i ett annat program (till exempel Word eller en "
                "PDF-läsare).")
    if exc.errno == errno.ENOSPC:
        return "disken är full."
    if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY, errno.EEXIST):
        return "det finns redan en mapp eller fil med samma namn som inte kan ersättas."
    return f"{exc.strerror or exc}."

