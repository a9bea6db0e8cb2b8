"""Convert .docx files to PDF with LibreOffice (soffice) in headless mode.

All documents of one call are converted by a single soffice process with a
private user profile, so nothing touches the user's own LibreOffice profile
or home directory and parallel runs do not collide.

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
* soffice exits 0 even when a source cannot be loaded; it only writes
  "Error: source file could not be loaded" to stderr and goes on with the
  next file. Hence every output is checked here.
* A file with random bytes and a .docx suffix is not rejected: type
  detection falls back to plain text and a PDF full of garbage comes out.
  A broken ZIP (starts with "PK") is rejected as above.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from meetingdocs.errors import ConversionError, MissingDependencyError
from meetingdocs.tools.run import ToolTimeout, kill_process_group, run

log = logging.getLogger(__name__)

SOFFICE_ENV = "MEETINGDOCS_SOFFICE"
TIMEOUT_ENV = "MEETINGDOCS_LO_TIMEOUT"  # seconds per document; tests shorten it
DEFAULT_TIMEOUT = 120.0
VERSION_TIMEOUT = 30.0
POLL_INTERVAL = 0.2

INSTALL_COMMAND = "sudo apt-get install -y --no-install-recommends libreoffice-writer-nogui"

# Options of LibreOffice's writer_pdf_Export filter (names as read by
# filter/source/pdf/pdfexport.cxx). LibreOffice >= 7.4 accepts them as JSON.
PDF_EXPORT_OPTIONS: dict[str, bool] = {
    "EmbedStandardFonts": True,
    "ExportBookmarks": True,
    "ExportLinksRelativeFsys": False,
    "ExportNotes": False,
    "UseTaggedPDF": True,
}

# Noise that soffice prints on every start when no Java is installed.
_STDERR_NOISE = ("Warning: failed to launch javaldx",)


def _pdf_filter() -> str:
    options = {
        name: {"type": "boolean", "value": "true" if value else "false"}
        for name, value in PDF_EXPORT_OPTIONS.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


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


def _read(stream) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace").strip()


def convert_to_pdf(
    sources: list[Path],
    outdir: Path,
    *,
    profile_dir: Path,
    timeout_per_document: float | None = None,
) -> list[Path]:
    """Convert ``sources`` (.docx) to PDF in ``outdir`` with one soffice run.

    Returns ``outdir / (src.stem + ".pdf")`` for each source, in order.
    ``profile_dir`` holds the private LibreOffice profile (and the child's
    HOME); it is created if missing and may be reused between calls.

    The timeout applies per document: the clock restarts whenever another
    output PDF appears. Raises ``ConversionError`` (``source`` set) when
    soffice hangs or an output is missing or not a readable PDF, and
    ``ValueError`` if two sources share a stem.
    """
    sources = [Path(s) for s in sources]
    if timeout_per_document is None:
        timeout_per_document = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    outdir = Path(outdir)
    stems: dict[str, Path] = {}
    for src in sources:
        if src.stem in stems:
            raise ValueError(
                f"{stems[src.stem]} and {src} would both be converted to {src.stem}.pdf"
            )
        stems[src.stem] = src
    outputs = [outdir / (src.stem + ".pdf") for src in sources]
    if not sources:
        return outputs

    program = soffice_path()
    outdir.mkdir(parents=True, exist_ok=True)
    profile_dir = Path(profile_dir).resolve()
    home = profile_dir / "home"
    home.mkdir(parents=True, exist_ok=True)
    # A stale PDF from an earlier run would look like fresh output.
    for out in outputs:
        out.unlink(missing_ok=True)

    argv = [
        program,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--nofirststartwizard",
        f"-env:UserInstallation={profile_dir.as_uri()}",
        "--convert-to",
        _pdf_filter(),
        "--outdir",
        str(outdir.resolve()),
        *(str(src.resolve()) for src in sources),
    ]
    log.debug("run: %s", " ".join(argv))

    started = time.monotonic()
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        try:
            proc = subprocess.Popen(
                argv,
                env=_child_env(home),
                stdin=subprocess.DEVNULL,
                stdout=out_f,
                stderr=err_f,
                start_new_session=True,
            )
        except OSError as exc:
            raise MissingDependencyError(
                f"LibreOffice ({program}) gick inte att starta: {exc.strerror}. "
                f"Installera om det med:\n  {INSTALL_COMMAND}"
            ) from exc

        timed_out = False
        try:
            seen: set[Path] = set()
            last_progress = time.monotonic()
            while True:
                returncode = proc.poll()
                for out in outputs:
                    if out not in seen and out.exists():
                        seen.add(out)
                        last_progress = time.monotonic()
                        log.debug("soffice wrote %s", out.name)
                if returncode is not None:
                    break
                if time.monotonic() - last_progress > timeout_per_document:
                    timed_out = True
                    kill_process_group(proc)
                    break
                time.sleep(POLL_INTERVAL)
        except BaseException:
            # KeyboardInterrupt or similar: never leave soffice behind.
            kill_process_group(proc)
            raise

        stdout = _read(out_f)
        stderr = _read(err_f)

    elapsed = time.monotonic() - started
    if stdout:
        log.debug("soffice stdout: %s", stdout)
    if stderr:
        log.debug("soffice stderr: %s", stderr)

    problems = [(src, out, _pdf_problem(out)) for src, out in zip(sources, outputs)]
    failed = [(src, out, why) for src, out, why in problems if why is not None]

    if timed_out:
        if not failed:
            log.debug(
                "soffice did not exit %.0f s after writing all PDFs; killed it",
                timeout_per_document,
            )
        else:
            src, out, why = failed[0]
            log.debug(
                "soffice timed out on %s (%s); stderr: %s", src, why, stderr or "(empty)"
            )
            raise ConversionError(
                f"LibreOffice svarade inte på {timeout_per_document:g} sekunder när "
                f"{src} skulle konverteras till PDF och stoppades. Filen kan vara "
                "skadad eller för stor. Öppna den i Word, spara den på nytt som "
                ".docx och försök igen.",
                source=src,
            )

    if failed:
        src, out, why = failed[0]
        log.debug(
            "soffice exit %s; %s -> %s: %s; stderr: %s",
            proc.returncode, src, out, why, stderr or "(empty)",
        )
        message = (
            f"LibreOffice kunde inte konvertera {src} till PDF. Kontrollera att "
            "filen går att öppna i Word och att den är sparad som .docx."
        )
        last = _last_stderr_line(stderr)
        if last:
            message += f"\nLibreOffice skrev: {last}"
        raise ConversionError(message, source=src)

    if not timed_out and proc.returncode != 0:
        log.debug(
            "soffice exited with %s although all PDFs are fine; stderr: %s",
            proc.returncode, stderr or "(empty)",
        )
    log.debug("converted %d document(s) in %.1f s", len(sources), elapsed)
    return outputs
