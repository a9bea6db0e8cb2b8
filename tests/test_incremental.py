"""Incremental builds through the command line: a rebuild with nothing changed does nothing (and says the
same warnings again), a rebuild after an edit converts only what the edit touched, and its packet is the
same in content as a cold build's (text of every page, page count, TOC, bookmarks, metadata).

Which documents LibreOffice converted is read from a wrapper around the real soffice that logs its
arguments (fault injection through the tool's command, not a mock)."""

from __future__ import annotations

import os
import sys
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DEMO, REPO, converted, logging_soffice, run_build, warnings_in
from meetingdocs.cache import document_digest
from meetingdocs.pdf.assemble import outline_of
from meetingdocs.tools import libreoffice, poppler

pytestmark = pytest.mark.libreoffice

NOTHING_CHANGED = "Inget har ändrats sedan kallelsen byggdes senast"
EDITED = "budget-2021.md"

@dataclass(frozen=True)
class Setup:
    sources: Path
    out: Path
    cache: Path
    soffice: Path
    cold_stderr: str

    def env(self, log: Path, cache: Path | None = None) -> dict[str, str]:
        return {"MEETINGDOCS_CACHE": str(cache or self.cache), libreoffice.SOFFICE_ENV: str(self.soffice),
                "SOFFICE_LOG": str(log)}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Setup:
    """The demo, with one typo'd field that gives a warning, built cold once into a cache of its own."""
    root = tmp_path_factory.mktemp("inkrementellt")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    meeting_file = sources / DEMO / "mote.yaml"
    meeting_file.write_text(meeting_file.read_text(encoding="utf-8") + "anteckningar: stavfel\n", encoding="utf-8")
    setup = Setup(sources, root / "packets", root / "cache", logging_soffice(root), "")
    result = run_build("packet", DEMO, sources=sources, out=setup.out, env=setup.env(root / "kallt.log"))
    assert result.returncode == 0, result.stderr
    assert any("anteckningar" in line for line in warnings_in(result.stderr)), "the premise: a warning"
    assert len(converted(root / "kallt.log")) >= 20
    return Setup(sources, setup.out, setup.cache, setup.soffice, result.stderr)


def test_a_rebuild_with_nothing_changed_does_nothing_but_repeat_the_warnings(warm, tmp_path):
    packet = warm.out / DEMO / "kallelse.pdf"
    before = packet.stat().st_mtime_ns
    log = tmp_path / "soffice.log"

    again = run_build("packet", DEMO, sources=warm.sources, out=warm.out, env=warm.env(log))

    assert again.returncode == 0, again.stderr
    assert NOTHING_CHANGED in again.stderr
    assert warnings_in(again.stderr) == warnings_in(warm.cold_stderr)
    assert again.stdout.splitlines()[0].endswith("kallelse.pdf (37 sidor)")
    assert converted(log) == [] and packet.stat().st_mtime_ns == before

    # A published file changed by hand: built again, from the cache alone (LibreOffice not started).
    docx = warm.out / DEMO / "kallelse.docx"
    content, size = document_digest(docx), docx.stat().st_size
    docx.write_bytes(docx.read_bytes() + b"\0")
    rebuilt = run_build("packet", DEMO, sources=warm.sources, out=warm.out, env=warm.env(log))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert NOTHING_CHANGED not in rebuilt.stderr and converted(log) == []
    assert warnings_in(rebuilt.stderr) == warnings_in(warm.cold_stderr)
    assert document_digest(docx) == content and docx.stat().st_size == size, "the damaged file was kept"


def _copy(warm: Setup, tmp_path: Path) -> tuple[Path, Path]:
    sources, cache = tmp_path / "sources", tmp_path / "cache"
    shutil.copytree(warm.sources, sources)
    shutil.copytree(warm.cache, cache)
    return sources, cache


def test_an_edit_converts_only_what_it_touched_and_the_packet_equals_a_cold_build(warm, tmp_path):
    sources, cache = _copy(warm, tmp_path)
    edited = sources / DEMO / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nTillägg: beloppet är rättat enligt beslut.\n",
                      encoding="utf-8")
    log = tmp_path / "inkrementellt.log"

    incremental = run_build("packet", DEMO, sources=sources, out=tmp_path / "inkr", env=warm.env(log, cache))
    cold = run_build("packet", DEMO, sources=sources, out=tmp_path / "kall",
                     env=warm.env(tmp_path / "kall.log", tmp_path / "tom-cache"))

    assert incremental.returncode == 0, incremental.stderr
    assert cold.returncode == 0, cold.stderr
    item = next(name for name in converted(log) if name.endswith("-1-tjansteskrivelse.docx"))
    assert set(converted(log)) <= {item, "00-kallelse.docx", "innehall.docx"}, converted(log)
    assert len(converted(tmp_path / "kall.log")) >= 20
    for name in ("kallelse.pdf", "publik/kallelse.pdf"):
        assert_same_content(tmp_path / "inkr" / DEMO / name, tmp_path / "kall" / DEMO / name)
    assert "rättat enligt beslut" in poppler.pdftotext(tmp_path / "inkr" / DEMO / "kallelse.pdf")


def assert_same_content(incremental: Path, cold: Path) -> None:
    """Same pages with the same text, the same bookmarks to the same pages, the same metadata."""
    a, b = PdfReader(incremental), PdfReader(cold)
    assert len(a.pages) == len(b.pages)
    for number in range(1, len(a.pages) + 1):
        assert poppler.pdftotext(incremental, number, number) == poppler.pdftotext(cold, number, number), \
            f"page {number} differs"
    assert outline_of(incremental) == outline_of(cold)
    assert a.metadata.title == b.metadata.title and a.metadata.subject == b.metadata.subject


def test_two_builds_of_one_meeting_at_once_both_succeed(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "sources", sources)
    env = {**os.environ, "MEETINGDOCS_CACHE": str(tmp_path / "cache")}
    argv = [sys.executable, str(REPO / "build.py"), "--sources", str(sources), "--out", str(tmp_path / "ut"),
            "packet", DEMO]
    builds = [subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for build in builds:
        _, stderr = build.communicate(timeout=600)
        assert build.returncode == 0, stderr
    packet = tmp_path / "ut" / DEMO / "kallelse.pdf"
    assert poppler.page_count(packet) == 37
    assert "Tjänsteskrivelse" in poppler.pdftotext(packet)
    assert not list((tmp_path / "ut").glob(".bygge-*"))
