"""The build cache (meetingdocs/cache.py): entries are whole or absent, damaged ones are made anew, concurrent
and killed writers leave nothing half-written in sight, the size stays bounded, and keys change with content.
LibreOffice conversions through the cache (buildkit.Converter) are tested at the end with the real soffice."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document

from meetingdocs import cache as cache_module
from meetingdocs.buildkit import Converter
from meetingdocs.cache import FORMAT, MANIFEST, Cache
from meetingdocs.errors import BadArgsError
from meetingdocs.tools import poppler

REPO = Path(__file__).resolve().parent.parent


def _file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _entries(cache: Cache) -> list[Path]:
    return sorted(p.parent for p in (cache.folder / FORMAT / "poster").glob(f"*/*/*/{MANIFEST}"))


def test_an_entry_comes_back_as_stored(tmp_path):
    cache = Cache(tmp_path / "cache")
    source = _file(tmp_path / "a.pdf", b"%PDF-1.7 stored")
    cache.store("pdf", "k" * 64, {"a.pdf": source}, data={"pages": 3})

    hit = cache.fetch("pdf", "k" * 64, tmp_path / "ut")

    assert hit is not None and hit.data == {"pages": 3}
    assert hit.files["a.pdf"].read_bytes() == b"%PDF-1.7 stored"
    assert cache.fetch("pdf", "x" * 64, tmp_path / "ut2") is None
    assert not (tmp_path / "ut2").exists() or not any((tmp_path / "ut2").iterdir())


def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.store("pdf", "d" * 64, {"a.pdf": _file(tmp_path / "a.pdf", b"%PDF-1.7 " + b"x" * 1000)})
    (stored,) = _entries(cache)
    damaged = bytearray((stored / "a.pdf").read_bytes())
    damaged[500] ^= 0xFF
    (stored / "a.pdf").write_bytes(bytes(damaged))

    assert cache.fetch("pdf", "d" * 64, tmp_path / "ut") is None
    assert not (tmp_path / "ut" / "a.pdf").exists(), "a damaged copy was left where the build would use it"
    assert _entries(cache) == [], "the damaged entry stayed"


@pytest.mark.parametrize("damage", ["no manifest", "manifest not JSON", "file missing"])
def test_a_half_written_entry_is_never_used(tmp_path, damage):
    cache = Cache(tmp_path / "cache")
    cache.store("pdf", "h" * 64, {"a.pdf": _file(tmp_path / "a.pdf", b"%PDF-1.7 whole")})
    (stored,) = _entries(cache)
    if damage == "no manifest":
        (stored / MANIFEST).unlink()
    elif damage == "manifest not JSON":
        (stored / MANIFEST).write_text('{"files": {"a.pdf": "', encoding="utf-8")
    else:
        (stored / "a.pdf").unlink()

    assert cache.fetch("pdf", "h" * 64, tmp_path / "ut") is None
    cache.store("pdf", "h" * 64, {"a.pdf": _file(tmp_path / "b.pdf", b"%PDF-1.7 again")})  # made anew
    assert cache.fetch("pdf", "h" * 64, tmp_path / "ut3").files["a.pdf"].read_bytes() == b"%PDF-1.7 again"


def _store_many(folder: str, number: int) -> None:
    cache = Cache(Path(folder))
    source = _file(Path(folder).parent / f"källa-{number}.pdf", b"%PDF-1.7 " + b"s" * 200_000)
    for _ in range(20):
        cache.store("pdf", "c" * 64, {"a.pdf": source})
        hit = cache.fetch("pdf", "c" * 64, Path(folder).parent / f"ut-{number}")
        assert hit is None or hit.files["a.pdf"].read_bytes() == source.read_bytes()


def test_concurrent_writers_of_one_entry(tmp_path):
    """Eight processes store and read the same entry at once: every read is whole, one entry remains."""
    folder = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        pool.starmap(_store_many, [(str(folder), n) for n in range(8)])
    cache = Cache(folder)
    assert len(_entries(cache)) == 1
    assert cache.fetch("pdf", "c" * 64, tmp_path / "sist").files["a.pdf"].stat().st_size == 200_009
    assert list((folder / FORMAT / "tmp").iterdir()) == []


_KILLED_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from meetingdocs.cache import Cache
Cache(Path(sys.argv[2])).store("pdf", "w" * 64, {"a.pdf": Path(sys.argv[3])})
"""


def test_a_writer_killed_midway_leaves_no_entry(tmp_path):
    """The writer copies from a pipe that stops halfway; it is killed with SIGKILL, as a power cut would."""
    fifo = tmp_path / "halv.pdf"
    os.mkfifo(fifo)
    folder = tmp_path / "cache"
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(REPO), str(folder), str(fifo)])
    with open(fifo, "wb") as pipe:
        pipe.write(b"%PDF-1.7 " + b"h" * 100_000)
        pipe.flush()
        time.sleep(0.5)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    cache = Cache(folder)
    assert cache.fetch("pdf", "w" * 64, tmp_path / "ut") is None
    leftovers = list((folder / FORMAT / "tmp").iterdir())
    assert leftovers, "the premise: the writer was killed while writing"
    old = time.time() - 2 * cache_module.STALE_TEMPORARY_SECONDS
    for leftover in leftovers:
        os.utime(leftover, (old, old))
    cache.prune()
    assert list((folder / FORMAT / "tmp").iterdir()) == []


def test_prune_keeps_the_cache_under_its_limit_removing_the_least_recently_used(tmp_path):
    cache = Cache(tmp_path / "cache", limit_bytes=50_000)
    for number in range(8):
        cache.store("pdf", f"{number:064d}", {"a.pdf": _file(tmp_path / f"{number}.pdf", b"x" * 10_000)})
    # entry 0 was used just now, the others in the order they were stored
    for age, number in enumerate(range(1, 8)):
        manifest = cache.folder / FORMAT / "poster" / "pdf" / "00" / f"{number:064d}" / MANIFEST
        os.utime(manifest, (time.time() - 1000 + age, time.time() - 1000 + age))
    assert cache.fetch("pdf", f"{0:064d}", tmp_path / "ut") is not None

    freed = cache.prune()

    kept = {entry.name for entry in _entries(cache)}
    assert freed > 0 and sum(10_000 for _ in kept) <= 50_000 * cache_module.PRUNE_TO
    assert f"{0:064d}" in kept, "the entry used last was removed"
    assert f"{1:064d}" not in kept, "the oldest entry was kept"


def test_the_cache_can_be_turned_off_and_bounded_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_module.CACHE_ENV, "av")
    off = Cache.from_environment()
    off.store("pdf", "o" * 64, {"a.pdf": _file(tmp_path / "a.pdf", b"x")})
    assert not off.enabled and off.fetch("pdf", "o" * 64, tmp_path / "ut") is None

    monkeypatch.setenv(cache_module.CACHE_ENV, str(tmp_path / "egen"))
    monkeypatch.setenv(cache_module.LIMIT_ENV, "2,5")
    own = Cache.from_environment()
    assert own.folder == tmp_path / "egen" and own.limit_bytes == 2_500_000

    monkeypatch.setenv(cache_module.LIMIT_ENV, "mycket")
    with pytest.raises(BadArgsError) as info:
        Cache.from_environment()
    assert cache_module.LIMIT_ENV in info.value.message and "'mycket'" in info.value.message


def test_clear_removes_only_what_the_cache_keeps(tmp_path):
    folder = tmp_path / "min-mapp"
    own_file = _file(folder / "mitt.txt", b"mitt")
    cache = Cache(folder)
    cache.store("pdf", "e" * 64, {"a.pdf": _file(tmp_path / "a.pdf", b"x")})
    cache.clear()
    assert own_file.exists() and not (folder / FORMAT).exists()


def test_keys_frame_their_parts():
    assert cache_module.key("ab", "c") != cache_module.key("a", "bc")
    assert cache_module.key(b"1") != cache_module.key("1") != cache_module.key(1)
    assert cache_module.key({"a": 1, "b": 2}) == cache_module.key({"b": 2, "a": 1})


def _docx(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(text)
    document.save(path)
    return path


def _with_zip_times(source: Path, target: Path, when: tuple) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            info.date_time = when
            new.writestr(info, old.read(info))
    return target


def test_a_document_digest_is_its_content_not_its_zip_timestamps(tmp_path):
    first = _docx(tmp_path / "a.docx", "Samma text")
    same = _with_zip_times(first, tmp_path / "b.docx", (2001, 2, 3, 4, 5, 6))
    other = _docx(tmp_path / "c.docx", "Annan text")
    assert first.read_bytes() != same.read_bytes()
    assert cache_module.document_digest(first) == cache_module.document_digest(same)
    assert cache_module.document_digest(first) != cache_module.document_digest(other)
    not_zip = _file(tmp_path / "d.docx", b"not a zip")
    assert cache_module.document_digest(not_zip) == cache_module.file_digest(not_zip)


# ----------------------------------------------------- conversions (real LibreOffice)


@pytest.mark.libreoffice
def test_converter_takes_unchanged_documents_from_the_cache_and_remakes_damaged_ones(tmp_path):
    cache = Cache(tmp_path / "cache")
    documents = [_docx(tmp_path / "dok" / f"d{n}.docx", f"Dokument nummer {n}") for n in range(3)]

    first = Converter(cache, tmp_path / "profil")
    pdfs = first.convert(documents, tmp_path / "ut1")
    assert first.converted == documents

    _docx(documents[1], "Dokument nummer 1, ändrat")
    again = Converter(cache, tmp_path / "profil")
    pdfs = again.convert(documents, tmp_path / "ut2")
    assert again.converted == [documents[1]], "only the changed document goes to LibreOffice"
    assert "ändrat" in poppler.pdftotext(pdfs[1])
    assert all("Dokument nummer" in poppler.pdftotext(pdf) for pdf in pdfs)

    for entry in _entries(cache):
        pdf = next(entry.glob("*.pdf"), None)
        if pdf is not None:
            pdf.write_bytes(pdf.read_bytes()[:-40])  # cut off the end: damaged
    remade = Converter(cache, tmp_path / "profil")
    pdfs = remade.convert(documents, tmp_path / "ut3")
    assert remade.converted == documents
    assert [len(poppler.pdftotext(pdf)) > 0 for pdf in pdfs] == [True] * 3
