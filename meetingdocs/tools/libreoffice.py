"""Convert .docx and .odt files to PDF with LibreOffice (soffice) in headless mode.

The documents of one call are shared out among as many soffice processes
as there are cores (``$MEETINGDOCS_LO_PROCESSES`` overrides; 1 converts all
in one process), balanced by their expected work so that they end about
together. Each process has a private user profile of its own, so nothing
touches the user's own LibreOffice profile or home directory and parallel
runs do not collide. The outputs, their names and order, and the failure
reported are the same whatever the number of processes.

Observed behaviour of LibreOffice 7.4 (Debian libreoffice-writer-nogui), see
``tests/test_libreoffice.py``:

* The JSON filter options after ``--convert-to pdf:writer_pdf_Export:`` are
  honoured (``UseTaggedPDF`` visibly adds a structure tree).
  ``EmbedStandardFonts`` is not read by 7.4's PDF filter (the name does not
  occur in libpdffilterlo.so) and is harmless there; 7.4 embeds subsets of
  all fonts anyway, and the tests check that with ``pdffonts``.
* An external hyperlink becomes a ``/Link`` annotation with a ``/URI``
  action only if its run carries a character style that exists in the
  document (e.g. Word's "Hyperlink" style). Writer's PDF export collects
  links per character style and skips the default one, so a bare
  ``<w:hyperlink>`` without ``w:rStyle`` is exported as plain text.
* A Word list is tagged L > LI > LBody > P, its label ("•", "3.") the P's
  first marked content; ``meetingdocs.pdf.lists`` makes that an Lbl.
* soffice exits 0 even when a source cannot be loaded; it only writes
  "Error: source file could not be loaded" to stderr and goes on with the
  next file. Hence every output is checked here.
* A file with random bytes and a .docx suffix is not rejected: type
  detection falls back to plain text and a PDF full of garbage comes out.
  A broken ZIP (starts with "PK") is rejected as above.
* A linked image in a .docx or .odt is fetched during conversion (PROPFIND
  and two GETs per image), as are an .odt's linked background, bullet
  image, object and template. Hence three walls, each enough on its own
  for what tests/test_isolation.py throws at it: the caller strips such
  references from its copies (``external_refs``), the private profile
  blocks linked content and points every proxy at a closed loopback port
  (``PROFILE_SETTINGS``), and soffice runs in a network namespace of its
  own with no interfaces up (``unshare --map-root-user --net``) where the
  system allows unprivileged user namespaces; elsewhere without.
* ``soffice`` execs ``oosplash``, which forks ``soffice.bin``; all stay in
  the process group of the process we start. The group is killed on
  timeout, on Ctrl-C, and by a watchdog when the build itself is killed
  (``run.dies_with_us``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import quoteattr

from meetingdocs.errors import BadArgsError, ConversionError, MissingDependencyError
from meetingdocs.tools.run import ToolTimeout, dies_with_us, has_exited, kill_process_group, run, spawn

log = logging.getLogger(__name__)

SOFFICE_ENV = "MEETINGDOCS_SOFFICE"
TIMEOUT_ENV = "MEETINGDOCS_LO_TIMEOUT"  # seconds per document; tests shorten it
DEFAULT_TIMEOUT = 120.0
VERSION_TIMEOUT = 30.0
POLL_INTERVAL = 0.2
PROCESSES_ENV = "MEETINGDOCS_LO_PROCESSES"  # soffice processes per call; 1 = one for all documents
MAX_PROCESSES = 8  # each soffice.bin holds 150-250 MB; more than 8 would rarely pay on a big machine

# expected_work(): what converting a document costs, in bytes of its main XML part. Measured with 7.4 in a
# warm process: a page of text (about 3 KB of markup) costs ~10 ms, loading and exporting any document
# ~60-100 ms more, as much as ~20 KB of markup; the demo's 8-page kallelse (38 KB) 170 ms, an avdelare 70 ms.
MAIN_PARTS = ("word/document.xml", "content.xml")  # .docx, .odt
IMAGE_FOLDERS = ("word/media/", "Pictures/")
IMAGE_DISCOUNT = 16  # a byte of (compressed) image costs LibreOffice far less than a byte of markup
DOCUMENT_WORK = 20_000

INSTALL_COMMAND = "sudo apt-get install -y --no-install-recommends libreoffice-writer-nogui"

# Options of LibreOffice's writer_pdf_Export filter (names as read by
# filter/source/pdf/pdfexport.cxx). LibreOffice >= 7.4 accepts them as JSON.
PDF_EXPORT_OPTIONS: dict[str, bool | int] = {
    "EmbedStandardFonts": True,
    "ExportBookmarks": True,
    "ExportLinksRelativeFsys": False,
    "ExportNotes": False,
    "UseTaggedPDF": True,
    # PDF/A-2 (2 = PDF/A-2b): LibreOffice leaves out what PDF/A forbids (and embeds every font) as it writes.
    # Measured with outloud on the demo: no finding more or fewer than without it (the XMP and the claims
    # come from pdf/conformance.py either way), so kept for what outloud does not check. PDFUACompliance
    # made no difference to outloud's findings either and is left out.
    "SelectPdfVersion": 2,
}

# Noise that soffice prints on every start when no Java is installed.
_STDERR_NOISE = ("Warning: failed to launch javaldx",)

# Written into the private profile (user/registrymodifications.xcu) before
# every run. Each setting was seen to matter with LibreOffice 7.4 and a
# server on 127.0.0.1 counting requests (tests/test_isolation.py):
_INET = "/org.openoffice.Inet/Settings"
CLOSED_PORT = "9"  # discard: nothing listens there; root alone could open it
PROFILE_SETTINGS: tuple[tuple[str, str, str], ...] = (
    # Do not load what a document links to from outside: without it a linked
    # image or object in a .docx or .odt is fetched over http, https or ftp.
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    # An .odt's linked paragraph background, bullet image and template are
    # fetched despite the setting above. Every http, https and ftp request
    # goes to a proxy on a closed loopback port instead (each of the three
    # proxies was needed for its protocol), with no host exempted.
    (_INET, "ooInetProxyType", "2"),  # 2 = manual
    (_INET, "ooInetHTTPProxyName", "127.0.0.1"),
    (_INET, "ooInetHTTPProxyPort", CLOSED_PORT),
    (_INET, "ooInetHTTPSProxyName", "127.0.0.1"),
    (_INET, "ooInetHTTPSProxyPort", CLOSED_PORT),
    (_INET, "ooInetFTPProxyName", "127.0.0.1"),
    (_INET, "ooInetFTPProxyPort", CLOSED_PORT),
    (_INET, "ooInetNoProxy", ""),
)
# Tried and left out, as they made no difference to any request with 7.4:
# Writer/Content/Update/Link (links are not updated in headless conversion
# anyway), MacroSecurityLevel, Misc/UseLocking. This package has no update
# check. Names 7.4 does not know (DisableActiveContent) are ignored by it.

NETWORK_ISOLATION = ("--map-root-user", "--net")  # options of unshare(1)


def pdf_filter() -> str:
    """The argument of ``--convert-to``: PDF with ``PDF_EXPORT_OPTIONS`` (scripts/bench.py uses it too)."""
    options = {name: _filter_value(value) for name, value in PDF_EXPORT_OPTIONS.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def _filter_value(value: bool | int) -> dict[str, str]:
    if isinstance(value, bool):
        return {"type": "boolean", "value": "true" if value else "false"}
    return {"type": "long", "value": str(value)}


def soffice_path() -> str:
    """Return the soffice program to run.

    ``$MEETINGDOCS_SOFFICE`` wins when set; otherwise ``soffice`` or
    ``libreoffice`` on PATH. Raises ``MissingDependencyError`` if none exists.
    """
    override = os.environ.get(SOFFICE_ENV)
    if override:
        found = shutil.which(override)
        if found is None:
            raise MissingDependencyError(
                f"Miljövariabeln {SOFFICE_ENV} pekar på {override}, men där finns "
                "inget körbart program. Rätta sökvägen eller ta bort variabeln. "
                "LibreOffice installeras med:\n"
                f"  {INSTALL_COMMAND}"
            )
        return found
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found is not None:
            return found
    raise MissingDependencyError(
        "LibreOffice (programmet soffice) hittades inte. Det behövs för att "
        "göra PDF av dokumenten. Installera det med:\n"
        f"  {INSTALL_COMMAND}"
    )


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(home)
    return env


def version() -> str:
    """Return LibreOffice's version number, e.g. ``"7.4.7.2"``."""
    program = soffice_path()
    broken = MissingDependencyError(
        f"LibreOffice ({program}) gick inte att starta. Installera om det med:\n"
        f"  {INSTALL_COMMAND}"
    )
    # Even --version creates ~/.config and ~/.cache: give it a throwaway home.
    with tempfile.TemporaryDirectory(prefix="meetingdocs-soffice-") as home:
        try:
            result = run(
                [program, "--version"],
                timeout=VERSION_TIMEOUT,
                env=_child_env(Path(home)),
            )
        except (OSError, ToolTimeout, subprocess.CalledProcessError) as exc:
            log.debug("soffice --version failed: %s", exc)
            raise broken from exc
    out = result.stdout.decode("utf-8", "replace")
    match = re.search(r"\b(\d+(?:\.\d+)+)\b", out)
    if match is None:
        log.debug("unexpected soffice --version output: %r", out)
        raise broken
    return match.group(1)


# ------------------------------------------------------------------- errors


class LibreOfficeFailed(ConversionError):
    """LibreOffice made no usable PDF of ``source``.

    ``kind`` is ``TIMED_OUT`` (it stopped answering and was killed after
    ``seconds``) or ``NOT_CONVERTED`` (it ended without a readable PDF);
    ``said`` is the last line it wrote to stderr, if any. The message gives
    Word advice; callers that know where the document came from use
    ``retold`` to name the secretary's file and give advice that fits it.
    """

    TIMED_OUT = "timeout"
    NOT_CONVERTED = "not-converted"

    def __init__(self, source: Path, kind: str, *, seconds: float | None = None, said: str | None = None,
                 subject: str | None = None, advice: str | None = None):
        self.kind = kind
        self.seconds = seconds
        self.said = said
        subject = subject or str(source)
        advice = advice or editor_advice(kind)
        super().__init__(_failure_message(kind, subject, advice, seconds, said), source=source)

    def retold(self, subject: str, advice: str, *, source: Path) -> LibreOfficeFailed:
        """The same failure told about ``subject`` (what the secretary edits), with ``advice``."""
        said = self.said
        if said and self.source is not None:
            for staged in {str(self.source), str(Path(self.source).resolve())}:
                said = said.replace(staged, str(source))
        return LibreOfficeFailed(source, self.kind, seconds=self.seconds, said=said, subject=subject, advice=advice)


def editor_advice(kind: str, program: str = "Word", saved_as: str = ".docx") -> str:
    """What to do with a file the secretary edits in ``program`` that LibreOffice failed on."""
    if kind == LibreOfficeFailed.TIMED_OUT:
        return (f"Filen kan vara skadad eller för stor. Öppna den i {program}, spara den på nytt som {saved_as} och "
                "försök igen.")
    return f"Kontrollera att filen går att öppna i {program} och att den är sparad som {saved_as}."


def _failure_message(kind: str, subject: str, advice: str, seconds: float | None, said: str | None) -> str:
    if kind == LibreOfficeFailed.TIMED_OUT:
        message = (f"LibreOffice svarade inte på {seconds:g} sekunder när {subject} skulle konverteras till PDF "
                   f"och stoppades. {advice}")
    else:
        message = f"LibreOffice kunde inte konvertera {subject} till PDF. {advice}"
        if said:
            message += f"\nLibreOffice skrev: {said}"
    return message


# ------------------------------------------------------------- conversion


def convert_to_pdf(
    sources: list[Path],
    outdir: Path,
    *,
    profile_dir: Path,
    timeout_per_document: float | None = None,
    isolate_network: bool = True,
) -> list[Path]:
    """Convert ``sources`` (.docx, .odt) to PDF in ``outdir``, one soffice process per core.

    Returns ``outdir / (src.stem + ".pdf")`` for each source, in order.
    The documents are shared out among ``process_count`` soffice processes
    by their expected work (``expected_work``), so that they finish about
    together. Process ``i`` has the private profile ``profile_dir / str(i)``
    (and its HOME inside it); it is created if missing and reused by later
    calls with the same ``profile_dir``.

    The timeout applies per document and process: a process's clock restarts
    whenever another of its output PDFs appears. Raises ``LibreOfficeFailed``
    (a ``ConversionError`` with ``source`` set) when a process hangs (it is
    killed, and the other processes are stopped) or an output is missing or
    not a readable PDF (the other processes finish their documents first);
    ``ValueError`` if two sources share a stem. ``isolate_network=False``
    lets soffice use the network namespace of the caller (the profile still
    keeps it off the network); tests use it.
    """
    sources = [Path(s) for s in sources]
    outdir = Path(outdir)
    outputs = _outputs(sources, outdir)
    if not sources:
        return outputs
    processes = process_count(len(sources))
    timeout = _timeout(timeout_per_document)
    program = soffice_path()
    outdir.mkdir(parents=True, exist_ok=True)
    # A stale PDF from an earlier run would look like fresh output.
    for out in outputs:
        out.unlink(missing_ok=True)
    batches = share_out(sources, outputs, processes)
    started = time.monotonic()
    ends = _convert_batches(batches, program, Path(profile_dir).resolve(), outdir, timeout, isolate_network)
    _raise_first_failure(ends)
    from meetingdocs.pdf.lists import label_list_items  # pikepdf: loaded only when converting

    for out in outputs:
        label_list_items(out)  # 7.4 leaves a list item's label in its body text
    log.debug("converted %d document(s) with %d soffice process(es) in %.1f s",
              len(sources), len(batches), time.monotonic() - started)
    return outputs


def _outputs(sources: list[Path], outdir: Path) -> list[Path]:
    stems: dict[str, Path] = {}
    for src in sources:
        if src.stem in stems:
            raise ValueError(f"{stems[src.stem]} and {src} would both be converted to {src.stem}.pdf")
        stems[src.stem] = src
    return [outdir / (src.stem + ".pdf") for src in sources]


def _timeout(timeout_per_document: float | None) -> float:
    if timeout_per_document is not None:
        return timeout_per_document
    return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))


def process_count(documents: int) -> int:
    """How many soffice processes to convert ``documents`` documents with.

    ``$MEETINGDOCS_LO_PROCESSES`` wins when set (1 converts everything in one
    process); otherwise one per core this process may run on, at most
    ``MAX_PROCESSES``. Never more processes than documents.
    """
    override = os.environ.get(PROCESSES_ENV, "").strip()
    if override:
        wanted = _processes_from_env(override)
    else:
        wanted = min(_usable_cores(), MAX_PROCESSES)
    return max(1, min(wanted, documents))


def _processes_from_env(value: str) -> int:
    try:
        wanted = int(value)
    except ValueError:
        wanted = 0
    if wanted < 1:
        raise BadArgsError(
            f"Miljövariabeln {PROCESSES_ENV} ska vara ett heltal, 1 eller större (hur många LibreOffice-processer "
            f"som konverterar samtidigt), men är {value!r}. Rätta värdet eller ta bort variabeln."
        )
    return wanted


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def expected_work(path: Path) -> int:
    """A cheap estimate of what converting ``path`` costs, in bytes of markup.

    The size of a document's main XML part grows with its pages; images add
    a little, and every document, however short, costs as much as several
    pages to load and export (``DOCUMENT_WORK``). A file that is not a ZIP
    counts with its size. Nothing is decompressed.
    """
    try:
        if not path.is_file():  # a FIFO would block us; LibreOffice reports it
            return DOCUMENT_WORK
        with zipfile.ZipFile(path) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (OSError, zipfile.BadZipFile):
        try:
            return DOCUMENT_WORK + path.stat().st_size
        except OSError:
            return DOCUMENT_WORK
    main = max(sizes.get(name, 0) for name in MAIN_PARTS)
    images = sum(size for name, size in sizes.items() if name.startswith(IMAGE_FOLDERS))
    return DOCUMENT_WORK + main + images // IMAGE_DISCOUNT


@dataclass(frozen=True)
class Batch:
    """The documents one soffice process converts: their places in the call's list, sources and outputs."""

    number: int  # names the process's profile folder
    places: tuple[int, ...]
    sources: tuple[Path, ...]
    outputs: tuple[Path, ...]


def share_out(sources: list[Path], outputs: list[Path], processes: int) -> list[Batch]:
    """Share the documents out among ``processes`` so that their expected work is about even.

    Largest first, each to the process with the least work so far; inside a
    batch the documents keep the order of ``sources``.
    """
    work = [expected_work(src) for src in sources]
    loads = [0] * processes
    members: list[list[int]] = [[] for _ in range(processes)]
    for place in sorted(range(len(sources)), key=lambda i: (-work[i], i)):
        lightest = min(range(processes), key=lambda k: (loads[k], k))
        members[lightest].append(place)
        loads[lightest] += work[place]
    batches = []
    for places in (sorted(m) for m in members if m):
        batches.append(Batch(len(batches), tuple(places), tuple(sources[i] for i in places),
                             tuple(outputs[i] for i in places)))
    return batches


@dataclass(eq=False)
class _Conversion:
    """One running soffice process and what it has written so far."""

    batch: Batch
    proc: subprocess.Popen
    stdout: IO
    stderr: IO
    last_progress: float = field(default_factory=time.monotonic)
    seen: set[Path] = field(default_factory=set)
    timed_out: bool = False  # killed after writing nothing for the timeout
    stopped: bool = False  # killed because another process hung
    killed: bool = False

    def running(self) -> bool:
        return not self.killed and not has_exited(self.proc)

    def look_for_outputs(self) -> None:
        for out in self.batch.outputs:
            if out not in self.seen and out.exists():
                self.seen.add(out)
                self.last_progress = time.monotonic()
                log.debug("soffice wrote %s", out.name)

    def idle_for(self) -> float:
        return time.monotonic() - self.last_progress

    def wrote_all(self) -> bool:
        return len(self.seen) == len(self.batch.outputs)

    def kill(self) -> None:
        """Kill the process group and reap it, once: after reaping, its id may name another group."""
        if not self.killed:
            self.killed = True
            kill_process_group(self.proc)


@dataclass(frozen=True)
class _Ended:
    """How one soffice process ended: its batch, exit code, stderr and whether it was killed for hanging."""

    batch: Batch
    returncode: int | None
    stderr: str
    timed_out_after: float | None
    stopped: bool


def _convert_batches(batches: list[Batch], program: str, profile_dir: Path, outdir: Path, timeout: float,
                     isolate_network: bool) -> list[_Ended]:
    """Run one soffice per batch at the same time; return how each ended.

    Whichever way this ends (all done, a hang, Ctrl-C, an exception) every
    process group is killed and reaped before it returns, and each has a
    watchdog meanwhile that kills it if the build itself dies.
    """
    with contextlib.ExitStack() as logs:
        with contextlib.ExitStack() as processes:
            conversions = [_launch(batch, program, profile_dir, outdir, isolate_network, logs, processes)
                           for batch in batches]
            _supervise(conversions, timeout)
        return [_ended(conversion, timeout) for conversion in conversions]


def _launch(batch: Batch, program: str, profile_dir: Path, outdir: Path, isolate_network: bool,
            logs: contextlib.ExitStack, processes: contextlib.ExitStack) -> _Conversion:
    profile = profile_dir / str(batch.number)
    home = prepare_profile(profile)
    stdout = logs.enter_context(tempfile.TemporaryFile())
    stderr = logs.enter_context(tempfile.TemporaryFile())
    proc = _start(_argv(program, profile, outdir, list(batch.sources), isolate_network), program, home,
                  stdout, stderr)
    conversion = _Conversion(batch, proc, stdout, stderr)
    processes.enter_context(dies_with_us(proc))
    processes.callback(conversion.kill)  # runs before the watchdog stands down
    return conversion


def _supervise(conversions: list[_Conversion], timeout: float) -> None:
    """Wait for every soffice; kill one that writes no new output for ``timeout`` s.

    One that hangs on a document dooms the call: the others are stopped at
    once. One that wrote all its PDFs but does not exit is merely killed.
    """
    while running := [c for c in conversions if c.running()]:
        for conversion in running:
            conversion.look_for_outputs()
        hung = [c for c in running if c.idle_for() > timeout]
        for conversion in hung:
            conversion.timed_out = True
            conversion.kill()
        if any(not c.wrote_all() for c in hung):
            _stop_all(conversions)
            return
        time.sleep(POLL_INTERVAL)


def _stop_all(conversions: list[_Conversion]) -> None:
    for conversion in conversions:
        if conversion.running():
            conversion.stopped = True
            log.debug("stopping soffice %d: another one hung", conversion.batch.number)
        conversion.kill()


def _ended(conversion: _Conversion, timeout: float) -> _Ended:
    stdout, stderr = _read(conversion.stdout), _read(conversion.stderr)
    _log_output(stdout, stderr)
    return _Ended(conversion.batch, conversion.proc.returncode, stderr,
                  timeout if conversion.timed_out else None, conversion.stopped)


def _raise_first_failure(ends: list[_Ended]) -> None:
    """Raise ``LibreOfficeFailed`` for the first document (in the caller's order) without a readable PDF.

    Documents of a process that was stopped because another hung are not
    failures of their own and are not reported.
    """
    failures = [failure for end in ends if not end.stopped and (failure := _failure(end)) is not None]
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]


def prepare_profile(profile_dir: Path) -> Path:
    """Create the private profile with ``PROFILE_SETTINGS``; return the child's HOME inside it."""
    home = profile_dir / "home"
    home.mkdir(parents=True, exist_ok=True)
    user = profile_dir / "user"
    user.mkdir(exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_registry(PROFILE_SETTINGS), encoding="utf-8")
    return home


def _registry(settings: tuple[tuple[str, str, str], ...]) -> str:
    items = "".join(
        f'<item oor:path={quoteattr(path)}><prop oor:name={quoteattr(name)} oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, value in settings
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{items}</oor:items>\n")


@functools.lru_cache(maxsize=1)
def network_isolation() -> tuple[str, ...]:
    """``unshare`` and its options to run a program without network, or () where that is not allowed."""
    program = shutil.which("unshare")
    if program is None:
        log.debug("no unshare on PATH: LibreOffice runs with the network, kept off it by its profile")
        return ()
    try:
        probe = run([program, *NETWORK_ISOLATION, "true"], timeout=VERSION_TIMEOUT, check=False)
    except (OSError, ToolTimeout) as exc:
        log.debug("unshare failed (%s): LibreOffice runs with the network, kept off it by its profile", exc)
        return ()
    if probe.returncode != 0:
        log.debug("unshare is not allowed here (%s): LibreOffice runs with the network, kept off it by its "
                  "profile", probe.stderr.decode("utf-8", "replace").strip())
        return ()
    return (program, *NETWORK_ISOLATION)


def _argv(program: str, profile_dir: Path, outdir: Path, sources: list[Path], isolate_network: bool) -> list[str]:
    prefix = list(network_isolation()) if isolate_network else []
    return [
        *prefix,
        program,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--nofirststartwizard",
        f"-env:UserInstallation={profile_dir.as_uri()}",
        "--convert-to",
        pdf_filter(),
        "--outdir",
        str(outdir.resolve()),
        *(str(src.resolve()) for src in sources),
    ]


def _start(argv: list[str], program: str, home: Path, out_f: IO, err_f: IO) -> subprocess.Popen:
    try:
        return spawn(argv, env=_child_env(home), stdout=out_f, stderr=err_f)
    except OSError as exc:
        raise MissingDependencyError(
            f"LibreOffice ({program}) gick inte att starta: {exc.strerror}. "
            f"Installera om det med:\n  {INSTALL_COMMAND}"
        ) from exc


def _read(stream) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace").strip()


def _log_output(stdout: str, stderr: str) -> None:
    if stdout:
        log.debug("soffice stdout: %s", stdout)
    if stderr:
        log.debug("soffice stderr: %s", stderr)


def _pdf_problem(path: Path) -> str | None:
    """Describe why ``path`` is not a usable PDF, or None if it is."""
    # Imported here so that a missing pypdf only matters when converting.
    from pypdf import PdfReader

    try:
        if not path.is_file():
            return "missing"
        if path.stat().st_size == 0:
            return "empty"
        pages = len(PdfReader(path).pages)
    except Exception as exc:  # pypdf raises many kinds on garbage
        return f"unreadable: {exc}"
    if pages < 1:
        return "no pages"
    return None


def _last_stderr_line(stderr: str) -> str | None:
    for line in reversed(stderr.splitlines()):
        line = line.strip()
        if line and not line.startswith(_STDERR_NOISE):
            return line
    return None


def _failure(end: _Ended) -> tuple[int, LibreOfficeFailed] | None:
    """The first document of ``end``'s batch without a readable PDF, with its place in the call, or None."""
    batch = end.batch
    failed = [(place, src, out, why) for place, src, out in zip(batch.places, batch.sources, batch.outputs)
              if (why := _pdf_problem(out)) is not None]
    if not failed:
        if end.timed_out_after is not None:
            log.debug("soffice did not exit %.0f s after writing all PDFs; killed it", end.timed_out_after)
        elif end.returncode != 0:
            log.debug("soffice exited with %s although all PDFs are fine; stderr: %s",
                      end.returncode, end.stderr or "(empty)")
        return None
    place, src, out, why = failed[0]
    if end.timed_out_after is not None:
        log.debug("soffice timed out on %s (%s); stderr: %s", src, why, end.stderr or "(empty)")
        return place, LibreOfficeFailed(src, LibreOfficeFailed.TIMED_OUT, seconds=end.timed_out_after)
    log.debug("soffice exit %s; %s -> %s: %s; stderr: %s", end.returncode, src, out, why, end.stderr or "(empty)")
    return place, LibreOfficeFailed(src, LibreOfficeFailed.NOT_CONVERTED, said=_last_stderr_line(end.stderr))
