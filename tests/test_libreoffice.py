"""Tests for meetingdocs.tools.libreoffice.

Tests marked ``libreoffice`` run the real soffice; the others use fake
soffice scripts written into tmp_path (fault injection via
MEETINGDOCS_SOFFICE). MEETINGDOCS_LO_PROCESSES sets how many soffice
processes share a call's documents; tests that depend on it set it.
"""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import DEMO, run_build
from meetingdocs.errors import BadArgsError, ConversionError, ExitCode, MissingDependencyError
from meetingdocs.tools import libreoffice
from meetingdocs.tools.libreoffice import (PROCESSES_ENV, SOFFICE_ENV, LibreOfficeFailed, convert_to_pdf, share_out,
                                           version)

SWEDISH = "Sammanträde åäö ÅÄÖ"
LINK_URL = "https://example.org/meetingdocs-marker/abc123"


# --- helpers -----------------------------------------------------------------


def _real_soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice is not installed"
    return path


def _add_hyperlink(paragraph, url: str, text: str, *, char_style: str | None) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    if char_style:
        rpr = OxmlElement("w:rPr")
        rstyle = OxmlElement("w:rStyle")
        rstyle.set(qn("w:val"), char_style)
        rpr.append(rstyle)
        run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _make_docx(path: Path, text: str, *, link: str | None = None, link_style: bool = True) -> Path:
    doc = Document()
    doc.add_heading(f"Rubrik {path.stem}", level=1)
    paragraph = doc.add_paragraph(text + " ")
    if link:
        if link_style:
            # python-docx's default template has no "Hyperlink" style; Word
            # templates usually do. LibreOffice needs it (see module doc).
            doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        _add_hyperlink(paragraph, link, "länken", char_style="Hyperlink" if link_style else None)
    doc.save(path)
    return path


def _make_pages(path: Path, pages: int, words: str = "Nämnden beslutar att godkänna förslaget.") -> Path:
    """A .docx of exactly ``pages`` pages (one short section per page, page breaks between)."""
    doc = Document()
    for number in range(1, pages + 1):
        doc.add_heading(f"{path.stem} avsnitt {number}", level=1)
        doc.add_paragraph(f"{words} Sida {number} av {pages}.")
        if number < pages:
            doc.add_page_break()
    doc.save(path)
    return path


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def _survivors(folder: Path, wait: float = 5.0) -> list[str]:
    """Processes whose command line names ``folder`` (soffice names its profile there) that are still
    alive after ``wait`` s at most (a killed process may take a moment to go)."""
    deadline = time.monotonic() + wait
    while (found := _processes_naming(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _processes_naming(folder: Path) -> list[str]:
    """Live processes whose command line names ``folder``."""
    needle = str(folder.resolve())
    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline", "status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and needle in " ".join(proc.info["cmdline"] or []):
                found.append(f"{proc.info['pid']} {proc.info['name']}")
        except psutil.Error:
            continue
    return found


def _write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _uris(pdf: Path) -> list[str]:
    uris = []
    for page in PdfReader(pdf).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action is not None:
                action = action.get_object()
                if action.get("/S") == "/URI":
                    uris.append(str(action["/URI"]))
    return uris


def _font_embedding(pdf: Path) -> list[tuple[str, str]]:
    """(font name, emb column) for each row of ``pdffonts``."""
    out = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    header, dashes, rows = out[0], out[1], out[2:]
    # Column boundaries come from the runs of dashes under the header.
    spans, start = [], None
    for i, ch in enumerate(dashes + " "):
        if ch == "-" and start is None:
            start = i
        elif ch != "-" and start is not None:
            spans.append((start, i))
            start = None
    names = [header[a:b].strip() for a, b in spans]
    emb = names.index("emb")
    return [(row[: spans[0][1]].strip(), row[slice(*spans[emb])].strip()) for row in rows if row.strip()]


def _process_gone(pid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie waiting for its reaper is dead too
            status = Path(f"/proc/{pid}/status").read_text()
            if "\nState:\tZ" in status:
                return True
        except FileNotFoundError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


# --- real LibreOffice ------------------------------------------------------------


@pytest.mark.libreoffice
def test_version_is_a_number(monkeypatch):
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    v = version()
    assert v[0].isdigit(), v
    assert "." in v


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_real_conversion_text_fonts_and_links(tmp_path, monkeypatch):
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    a = _make_docx(tmp_path / "kallelse.docx", SWEDISH, link=LINK_URL)
    b = _make_docx(tmp_path / "handling.docx", "Andra dokumentet")
    outdir = tmp_path / "ut"

    started = time.monotonic()
    pdfs = convert_to_pdf([a, b], outdir, profile_dir=tmp_path / "profil")
    elapsed = time.monotonic() - started
    print(f"converted 2 documents in {elapsed:.1f} s")

    assert pdfs == [outdir / "kallelse.pdf", outdir / "handling.pdf"]
    for pdf in pdfs:
        assert len(PdfReader(pdf).pages) >= 1
        fonts = _font_embedding(pdf)
        assert fonts, f"no fonts in {pdf}"
        assert all(emb == "yes" for _, emb in fonts), fonts

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdfs[0]), "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert SWEDISH in text
    assert _uris(pdfs[0]) == [LINK_URL]

    # The child's HOME is inside the private profile, and the filter options
    # were honoured (UseTaggedPDF adds a structure tree, bookmarks an outline).
    assert (tmp_path / "profil" / "0" / "home").is_dir()
    reader = PdfReader(pdfs[0])
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert [o.title for o in reader.outline] == ["Rubrik kallelse"]


@pytest.mark.libreoffice
def test_hyperlink_without_character_style_is_lost(tmp_path, monkeypatch):
    """Documents LibreOffice 7.4 behaviour that the docx builder must respect:
    a <w:hyperlink> whose run has no (existing) character style comes out as
    plain text, without any /Link annotation."""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    src = _make_docx(tmp_path / "utan_stil.docx", SWEDISH, link=LINK_URL, link_style=False)
    [pdf] = convert_to_pdf([src], tmp_path / "ut", profile_dir=tmp_path / "profil")
    assert _uris(pdf) == []


def _recording_soffice(tmp_path: Path, starts: Path) -> Path:
    """The real soffice, behind a script that writes one line per start: the profile it was given, then the
    documents (file names)."""
    return _write_script(tmp_path / "soffice-som-antecknar", f"""\
line=""
for a in "$@"; do
  case "$a" in
    -env:UserInstallation=*) line="${{a#*=}}$line";;
    *.docx|*.odt) line="$line $(basename "$a")";;
  esac
done
echo "$line" >> "{starts}"
exec "{_real_soffice()}" "$@"
""")


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_two_processes_make_the_same_pdfs_as_one(tmp_path, monkeypatch):
    """MEETINGDOCS_LO_PROCESSES=1 converts the whole batch in one soffice, as before; =2 shares it out
    between two, each with a profile of its own. The outputs are the same: names, order, pages and text."""
    pages = {"kallelse": 4, "dok1": 1, "dok2": 3, "dok3": 1, "dok4": 2, "dok5": 1}
    sources = [_make_pages(tmp_path / f"{name}.docx", n, SWEDISH) for name, n in pages.items()]
    results = {}
    for processes in ("1", "2"):
        starts = tmp_path / f"starter-{processes}.txt"
        monkeypatch.setenv(SOFFICE_ENV, str(_recording_soffice(tmp_path, starts)))
        monkeypatch.setenv(PROCESSES_ENV, processes)
        profile = tmp_path / f"profil-{processes}"
        outdir = tmp_path / f"ut-{processes}"

        pdfs = convert_to_pdf(sources, outdir, profile_dir=profile)

        assert pdfs == [outdir / f"{name}.pdf" for name in pages]
        results[processes] = [(_pages(pdf), _text(pdf)) for pdf in pdfs]
        runs = [line.split() for line in starts.read_text().splitlines()]
        assert len(runs) == int(processes), runs
        assert sorted(run[0] for run in runs) == [(profile / str(i)).resolve().as_uri() for i in range(len(runs))]
        converted = [name for run in runs for name in run[1:]]
        assert sorted(converted) == sorted(src.name for src in sources), runs
        assert _survivors(profile) == []

    assert [n for n, _ in results["1"]] == list(pages.values())
    assert results["2"] == results["1"]
    assert all(SWEDISH in text for _, text in results["1"])


@pytest.mark.libreoffice
def test_random_bytes_docx_is_imported_as_text(tmp_path, monkeypatch):
    """LibreOffice does NOT reliably reject random bytes with a .docx suffix.
    For most random inputs (8 of 8 seeds tried, and /dev/urandom) type
    detection falls back to plain text and a PDF full of garbage comes out,
    exit code 0. Callers must validate .docx files before converting them."""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    corrupt = tmp_path / "trasig.docx"
    corrupt.write_bytes(random.Random(0).randbytes(4096))

    [pdf] = convert_to_pdf([corrupt], tmp_path / "ut", profile_dir=tmp_path / "profil")

    assert len(PdfReader(pdf).pages) >= 1


@pytest.mark.libreoffice
def test_some_garbage_docx_is_rejected(tmp_path, monkeypatch):
    """Other byte patterns (all zeros; random.Random(20240501)) are rejected:
    no PDF, "Error: source file could not be loaded" on stderr, exit 0."""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    zeros = tmp_path / "nollor.docx"
    zeros.write_bytes(bytes(4096))

    with pytest.raises(ConversionError) as info:
        convert_to_pdf([zeros], tmp_path / "ut", profile_dir=tmp_path / "profil")

    assert info.value.source == zeros
    assert str(zeros) in info.value.message


@pytest.mark.libreoffice
def test_broken_zip_docx_fails_and_batch_goes_on(tmp_path, monkeypatch):
    """A .docx that is a broken ZIP is rejected by LibreOffice (it prints
    "Error: source file could not be loaded" and still exits 0); the other
    documents of the batch are converted."""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    good = _make_docx(tmp_path / "bra.docx", SWEDISH)
    broken = tmp_path / "trasig.docx"
    broken.write_bytes(b"PK\x03\x04" + random.Random(7).randbytes(2048))
    outdir = tmp_path / "ut"

    with pytest.raises(ConversionError) as info:
        convert_to_pdf([good, broken], outdir, profile_dir=tmp_path / "profil")

    assert info.value.source == broken
    assert str(broken) in info.value.message
    assert "kunde inte konvertera" in info.value.message
    assert "could not be loaded" in info.value.message
    # With two processes (one per core here) each had one document: the good one's was not stopped.
    assert len(PdfReader(outdir / "bra.pdf").pages) >= 1
    assert _survivors(tmp_path / "profil") == []


@pytest.mark.libreoffice
def test_real_soffice_killed_on_timeout_leaves_nothing_behind(tmp_path, monkeypatch):
    """Two real soffice processes, each killed by the timeout before its first PDF (starting alone takes
    longer than 0.5 s): the first document is named, and no soffice, oosplash or soffice.bin survives.
    (soffice.bin also ends by itself within seconds of losing oosplash; that the whole group is killed
    is proven with fakes whose children would outlive their leader, below.)"""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    monkeypatch.setenv(PROCESSES_ENV, "2")
    sources = [_make_docx(tmp_path / f"dok{i}.docx", f"Dokument {i}") for i in range(4)]

    with pytest.raises(ConversionError) as info:
        convert_to_pdf(sources, tmp_path / "ut", profile_dir=tmp_path / "profil", timeout_per_document=0.5)

    assert info.value.source == sources[0] and info.value.kind == LibreOfficeFailed.TIMED_OUT
    assert _survivors(tmp_path / "profil") == []


# --- fakes -------------------------------------------------------------------------


def test_hang_is_killed_per_document(tmp_path, monkeypatch):
    pidfile = tmp_path / "child.pid"
    fake = _write_script(
        tmp_path / "soffice-hang",
        f'sleep 300 &\necho $! >> "{pidfile}"\nsleep 300\n',
    )
    monkeypatch.setenv(SOFFICE_ENV, str(fake))
    sources = [_make_docx(tmp_path / f"dok{i}.docx", "x") for i in range(2)]

    started = time.monotonic()
    with pytest.raises(ConversionError) as info:
        convert_to_pdf(sources, tmp_path / "ut", profile_dir=tmp_path / "profil",
                       timeout_per_document=2)
    elapsed = time.monotonic() - started

    assert elapsed < 10, elapsed
    assert info.value.source == sources[0]
    assert info.value.kind == LibreOfficeFailed.TIMED_OUT
    assert info.value.seconds == 2
    assert str(sources[0]) in info.value.message
    assert "svarade inte på 2 sekunder" in info.value.message
    for child in map(int, pidfile.read_text().split()):  # one per soffice process
        assert _process_gone(child), f"child sleep {child} survived"


# A fake soffice's first lines: the folder after --outdir, where it writes its PDFs.
READ_OUTDIR = """outdir=""; previous=""
for a in "$@"; do [ "$previous" = "--outdir" ] && outdir="$a"; previous="$a"; done
"""


def _one_page_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(path)
    return path


def test_a_hang_in_one_process_stops_the_others(tmp_path, monkeypatch):
    """Two processes: one hangs on its only document, the other writes a PDF a second for six.
    The hung one is killed after the 2 s limit and named; the other is stopped before it is done;
    no process of either survives."""
    pids = tmp_path / "pids.txt"
    page = _one_page_pdf(tmp_path / "sida.pdf")
    fake = _write_script(tmp_path / "soffice-en-fastnar", f"""\
echo $$ >> "{pids}"
{READ_OUTDIR}for a in "$@"; do
  case "$a" in
    *fastnar.docx) sleep 300 & echo $! >> "{pids}"; sleep 300;;
    *.docx) sleep 1; name=$(basename "$a"); cp "{page}" "$outdir/${{name%.*}}.pdf";;
  esac
done
""")
    monkeypatch.setenv(SOFFICE_ENV, str(fake))
    monkeypatch.setenv(PROCESSES_ENV, "2")
    light = [_make_docx(tmp_path / f"dok{i}.docx", "x") for i in range(6)]
    stuck = _make_docx(tmp_path / "fastnar.docx", "Lång text. " * 30_000)  # more expected work than all six
    sources = light[:3] + [stuck] + light[3:]
    outdir = tmp_path / "ut"
    batches = share_out(sources, [outdir / f"{s.stem}.pdf" for s in sources], 2)
    assert [list(b.sources) for b in batches] == [[stuck], light], "the premise: the stuck one alone"

    with pytest.raises(ConversionError) as info:
        convert_to_pdf(sources, outdir, profile_dir=tmp_path / "profil", timeout_per_document=2)

    assert info.value.source == stuck
    assert info.value.kind == LibreOfficeFailed.TIMED_OUT
    assert str(stuck) in info.value.message and "svarade inte på 2 sekunder" in info.value.message
    assert not (outdir / "dok5.pdf").exists(), "the other process was let finish instead of stopped"
    started = list(map(int, pids.read_text().split()))
    assert len(started) == 3  # two fake soffice and the stuck one's child
    for pid in started:
        assert _process_gone(pid), f"process {pid} survived"
    assert _survivors(tmp_path) == []


@pytest.mark.parametrize("value, documents, expected", [
    ("1", 10, 1), ("2", 10, 2), ("3", 10, 3), ("4", 2, 2), (" 2 ", 5, 2),
])
def test_processes_from_the_environment(monkeypatch, value, documents, expected):
    monkeypatch.setenv(PROCESSES_ENV, value)
    assert libreoffice.process_count(documents) == expected


def test_one_process_per_core_by_default(monkeypatch):
    monkeypatch.delenv(PROCESSES_ENV, raising=False)
    cores = len(os.sched_getaffinity(0))
    assert libreoffice.process_count(100) == min(cores, libreoffice.MAX_PROCESSES)
    assert libreoffice.process_count(1) == 1


@pytest.mark.parametrize("value", ["0", "-1", "två", "1.5"])
def test_bad_processes_value_is_told_before_anything_runs(tmp_path, monkeypatch, value):
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "ska-inte-köras"))
    monkeypatch.setenv(PROCESSES_ENV, value)

    with pytest.raises(BadArgsError) as info:
        convert_to_pdf([_make_docx(tmp_path / "dok.docx", "x")], tmp_path / "ut", profile_dir=tmp_path / "profil")

    assert PROCESSES_ENV in info.value.message and repr(value) in info.value.message
    assert "heltal" in info.value.message and "ta bort variabeln" in info.value.message
    assert not (tmp_path / "ut").exists()


def test_documents_are_shared_out_by_expected_work(tmp_path):
    """A long document weighs as much as several short ones; each batch keeps the call's order."""
    long = _make_docx(tmp_path / "lang.docx", "Text. " * 10_000)
    short = [_make_docx(tmp_path / f"kort{i}.docx", "x") for i in range(8)]
    sources = short[:4] + [long] + short[4:]
    outputs = [tmp_path / f"{s.stem}.pdf" for s in sources]

    batches = share_out(sources, outputs, 2)

    assert [b.number for b in batches] == [0, 1]
    assert sorted(p for b in batches for p in b.places) == list(range(len(sources)))
    for batch in batches:
        assert list(batch.places) == sorted(batch.places)
        assert list(batch.sources) == [sources[p] for p in batch.places]
        assert list(batch.outputs) == [outputs[p] for p in batch.places]
    with_long = next(b for b in batches if long in b.sources)
    other = next(b for b in batches if long not in b.sources)
    assert len(other.sources) > len(with_long.sources)  # the short ones go mostly to the other process
    work = [sum(libreoffice.expected_work(s) for s in b.sources) for b in batches]
    assert max(work) - min(work) <= max(libreoffice.expected_work(s) for s in short)
    assert [list(b.sources) for b in share_out(sources, outputs, 1)] == [sources]


def test_clock_restarts_when_an_output_appears(tmp_path, monkeypatch):
    """Three documents at 1.2 s each take longer than the 2 s limit in total
    but never 2 s for one document: no timeout."""
    monkeypatch.setenv(PROCESSES_ENV, "1")  # the fake writes all three
    outdir = tmp_path / "ut"
    fake = _write_script(
        tmp_path / "soffice-slow",
        "for n in dok0 dok1 dok2; do\n"
        "  sleep 1.2\n"
        f'  cp "{tmp_path / "mall.pdf"}" "{outdir}/$n.pdf"\n'
        "done\n",
    )
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tmp_path / "mall.pdf")
    monkeypatch.setenv(SOFFICE_ENV, str(fake))
    sources = [_make_docx(tmp_path / f"dok{i}.docx", "x") for i in range(3)]

    pdfs = convert_to_pdf(sources, outdir, profile_dir=tmp_path / "profil",
                          timeout_per_document=2)

    assert [p.name for p in pdfs] == ["dok0.pdf", "dok1.pdf", "dok2.pdf"]


@pytest.mark.parametrize("processes", ["1", "2"])
def test_exit_zero_without_output(tmp_path, monkeypatch, processes):
    """Every process fails; the first document of the call is reported, however they were shared out."""
    fake = _write_script(tmp_path / "soffice-noop", "echo 'nothing to see' >&2\nexit 0\n")
    monkeypatch.setenv(SOFFICE_ENV, str(fake))
    monkeypatch.setenv(PROCESSES_ENV, processes)
    sources = [_make_docx(tmp_path / f"dok{i}.docx", "x") for i in range(2)]

    with pytest.raises(ConversionError) as info:
        convert_to_pdf(sources, tmp_path / "ut", profile_dir=tmp_path / "profil")

    assert info.value.source == sources[0]
    assert info.value.kind == LibreOfficeFailed.NOT_CONVERTED
    assert info.value.said == "nothing to see"
    assert str(sources[0]) in info.value.message
    assert "kunde inte konvertera" in info.value.message
    assert "nothing to see" in info.value.message


def test_stale_output_is_not_taken_for_new(tmp_path, monkeypatch):
    outdir = tmp_path / "ut"
    outdir.mkdir()
    (outdir / "dok.pdf").write_bytes(b"%PDF-1.4 old")
    fake = _write_script(tmp_path / "soffice-noop", "exit 0\n")
    monkeypatch.setenv(SOFFICE_ENV, str(fake))

    with pytest.raises(ConversionError):
        convert_to_pdf([_make_docx(tmp_path / "dok.docx", "x")], outdir,
                       profile_dir=tmp_path / "profil")


def test_nonzero_exit_with_good_outputs_is_accepted(tmp_path, monkeypatch, caplog):
    from pypdf import PdfWriter

    outdir = tmp_path / "ut"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tmp_path / "mall.pdf")
    fake = _write_script(
        tmp_path / "soffice-rc1",
        f'cp "{tmp_path / "mall.pdf"}" "{outdir}/dok.pdf"\nexit 1\n',
    )
    monkeypatch.setenv(SOFFICE_ENV, str(fake))

    with caplog.at_level("DEBUG", logger="meetingdocs.tools.libreoffice"):
        [pdf] = convert_to_pdf([_make_docx(tmp_path / "dok.docx", "x")], outdir,
                               profile_dir=tmp_path / "profil")

    assert pdf == outdir / "dok.pdf"
    assert any("exited with 1" in r.getMessage() for r in caplog.records)


def test_missing_program(tmp_path, monkeypatch):
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "finns-inte" / "soffice"))
    with pytest.raises(MissingDependencyError) as info:
        libreoffice.soffice_path()
    assert "apt-get install" in info.value.message
    assert "libreoffice-writer-nogui" in info.value.message

    with pytest.raises(MissingDependencyError):
        convert_to_pdf([_make_docx(tmp_path / "dok.docx", "x")], tmp_path / "ut",
                       profile_dir=tmp_path / "profil")
    with pytest.raises(MissingDependencyError):
        version()


def test_duplicate_stems(tmp_path, monkeypatch):
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "ska-inte-köras"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError):
        convert_to_pdf([tmp_path / "a" / "dok.docx", tmp_path / "b" / "dok.docx"],
                       tmp_path / "ut", profile_dir=tmp_path / "profil")


def test_empty_list_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(SOFFICE_ENV, str(tmp_path / "ska-inte-köras"))
    assert convert_to_pdf([], tmp_path / "ut", profile_dir=tmp_path / "profil") == []


def test_retold_names_the_origin_and_keeps_the_kind(tmp_path):
    staged = tmp_path / ".bygge-x" / "docx" / "07-2-bilaga-01.docx"
    failure = LibreOfficeFailed(staged, LibreOfficeFailed.NOT_CONVERTED, said=f"Error: {staged} could not be loaded")
    origin = tmp_path / "sources" / "bilaga.md"

    told = failure.retold("”Bilaga 1” i ärende 7", "Dokumentet skapas från bilaga.md.", source=origin)

    assert told.kind == LibreOfficeFailed.NOT_CONVERTED and told.source == origin
    assert told.message.startswith("LibreOffice kunde inte konvertera ”Bilaga 1” i ärende 7 till PDF. "
                                   "Dokumentet skapas från bilaga.md.")
    assert ".bygge" not in told.message and f"Error: {origin} could not be loaded" in told.message
    assert "Word" not in told.message


# --- advice that fits the source, through the command line ---------------------------


MARKDOWN_BILAGA = Path(DEMO) / "svenskt-ramverk" / "protokollsutdrag-2019-12-06-38.md"


def _fake_soffice_stuck_on(tmp_path: Path, stuck: str, *, hang: bool) -> Path:
    """A fake soffice that writes a one-page PDF for every document until it reaches one
    whose name ends with ``stuck``; there it hangs (``hang``) or ends without a PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tmp_path / "sida.pdf")
    on_stuck = "sleep 300" if hang else "exit 0"
    return _write_script(tmp_path / "soffice-fastnar", f"""\
if [ "$1" = "--version" ]; then echo "LibreOffice 7.4.7.2 fake"; exit 0; fi
{READ_OUTDIR}for a in "$@"; do
  case "$a" in
    *{stuck}) echo "Error: source file could not be loaded" >&2; {on_stuck};;
    *.docx|*.odt) name=$(basename "$a"); cp "{tmp_path / 'sida.pdf'}" "$outdir/${{name%.*}}.pdf";;
  esac
done
""")


def test_markdown_document_that_hangs_gets_markdown_advice(sources, tmp_path):
    fake = _fake_soffice_stuck_on(tmp_path, "07-2-bilaga-01.docx", hang=True)
    out = tmp_path / "packets"

    result = run_build("packet", DEMO, sources=sources, out=out,
                       env={SOFFICE_ENV: str(fake), "MEETINGDOCS_LO_TIMEOUT": "2"})

    assert result.returncode == int(ExitCode.conversion_failed), result.stderr
    assert "Traceback" not in result.stderr
    assert str(sources / MARKDOWN_BILAGA) in result.stderr
    assert "för lång" in result.stderr and "stor tabell" in result.stderr
    assert "svarade inte på 2 sekunder" in result.stderr
    assert "Word" not in result.stderr and ".docx" not in result.stderr and ".bygge" not in result.stderr
    assert not list(out.glob(".bygge-*"))


@pytest.mark.parametrize("origin, kind, says", [
    ("yttrande.docx", LibreOfficeFailed.TIMED_OUT, ["Öppna den i Word, spara den på nytt som .docx"]),
    ("yttrande.docx", LibreOfficeFailed.NOT_CONVERTED, ["går att öppna i Word", "sparad som .docx"]),
    ("yttrande.odt", LibreOfficeFailed.NOT_CONVERTED, ["går att öppna i LibreOffice Writer", "sparad som .odt"]),
    ("mote.yaml", LibreOfficeFailed.TIMED_OUT, ["när kallelsen med föredragningslistan skulle",
                                                "föredragningslistan i {origin}", "mallen kallelse.docx"]),
    ("budget-2021.md", LibreOfficeFailed.NOT_CONVERTED, ["konvertera ”Bilaga 1: Yttrande” till PDF",
                                                         "skapas från {origin}", "för lång", "stor tabell"]),
])
def test_packet_advice_fits_the_kind_of_source(tmp_path, origin, kind, says):
    from meetingdocs import packet

    staged = tmp_path / ".bygge-x" / "docx" / "03-2-bilaga-01.docx"
    doc = packet.Document("03-2-bilaga-01", "Bilaga 1: Yttrande", tmp_path / origin, docx=staged)

    told = packet._in_terms_of_sources(LibreOfficeFailed(staged, kind, seconds=2), [doc])

    assert told.source == tmp_path / origin and told.kind == kind
    for fragment in says:
        assert fragment.format(origin=tmp_path / origin) in told.message, told.message
    assert ".bygge" not in told.message
    assert ("Word" in told.message) == origin.endswith(".docx")


def test_protokoll_gets_protokoll_yaml_advice(sources, tmp_path):
    fake = _fake_soffice_stuck_on(tmp_path, "/protokoll.docx", hang=False)

    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets",
                       env={SOFFICE_ENV: str(fake), "MEETINGDOCS_LO_TIMEOUT": "2"})

    assert result.returncode == int(ExitCode.conversion_failed), result.stderr
    assert "kunde inte konvertera protokollet till PDF" in result.stderr
    assert str(sources / DEMO / "protokoll.yaml") in result.stderr
    assert "Word" not in result.stderr and "Traceback" not in result.stderr and ".bygge" not in result.stderr
