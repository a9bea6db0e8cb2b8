"""What invalidates the build cache: a changed template reconverts the documents made with it, a changed
committee file the documents that show what changed, a changed LibreOffice every document; nothing else is
converted again. Which documents LibreOffice converted is read from a logging wrapper around the real soffice
(conftest.logging_soffice)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document

from conftest import DEMO, REPO, converted, logging_soffice, run_build
from meetingdocs.buildkit import TEMPLATES, Converter
from meetingdocs.cache import Cache
from meetingdocs.packet import build_packet
from meetingdocs.tools import libreoffice, poppler

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def primed(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(sources, cache, soffice wrapper): the demo built cold once into a cache of its own."""
    root = tmp_path_factory.mktemp("ogiltigt")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    soffice = logging_soffice(root)
    env = {"MEETINGDOCS_CACHE": str(root / "cache"), libreoffice.SOFFICE_ENV: str(soffice),
           "SOFFICE_LOG": str(root / "kallt.log")}
    result = run_build("packet", DEMO, sources=sources, out=root / "packets", env=env)
    assert result.returncode == 0, result.stderr
    return sources, root / "cache", soffice


def _copies(primed, tmp_path: Path) -> tuple[Path, Path]:
    sources, cache, _ = primed
    shutil.copytree(sources, tmp_path / "sources")
    shutil.copytree(cache, tmp_path / "cache")
    return tmp_path / "sources", tmp_path / "cache"


def test_a_changed_template_reconverts_only_the_documents_made_with_it(primed, tmp_path, monkeypatch):
    sources, cache = _copies(primed, tmp_path)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    separator = Document(templates / "avdelare.docx")
    separator.add_paragraph("Avdelarsidan har fått en ny rad i mallen.")
    separator.save(templates / "avdelare.docx")
    log = tmp_path / "soffice.log"
    monkeypatch.setenv(libreoffice.SOFFICE_ENV, str(primed[2]))
    monkeypatch.setenv("SOFFICE_LOG", str(log))

    result = build_packet(sources, DEMO, tmp_path / "packets", templates=templates, cache=Cache(cache))

    names = converted(log)
    assert names and all(name.endswith("-0-avdelare.docx") for name in names), names
    assert len(names) == sum(1 for line in poppler.pdftotext(result.pdf).split("\f")
                             if "Avdelarsidan har fått en ny rad" in line)


def test_a_changed_committee_file_reconverts_the_documents_that_show_it(primed, tmp_path):
    sources, cache = _copies(primed, tmp_path)
    committee = sources / "namnder" / "gns.yaml"
    committee.write_text(committee.read_text(encoding="utf-8").replace("063-14 76 76", "063-14 76 99"),
                         encoding="utf-8")
    log = tmp_path / "soffice.log"
    env = {"MEETINGDOCS_CACHE": str(cache), libreoffice.SOFFICE_ENV: str(primed[2]), "SOFFICE_LOG": str(log)}

    result = run_build("packet", DEMO, sources=sources, out=tmp_path / "packets", env=env)

    assert result.returncode == 0, result.stderr
    assert "00-kallelse.docx" in converted(log)
    assert not any("-2-bilaga-" in name for name in converted(log)), "a received bilaga was converted again"
    assert "063-14 76 99" in poppler.pdftotext(tmp_path / "packets" / DEMO / "kallelse.pdf")


_VERSIONED_SOFFICE = """\
#!/bin/sh
if [ "$1" = "--version" ]; then echo "LibreOffice {version} 00(Build:2)"; exit 0; fi
exec "{real}" "$@"
"""


def test_another_libreoffice_version_reconverts_everything(tmp_path, monkeypatch):
    document = Document()
    document.add_paragraph("Ett dokument")
    document.save(tmp_path / "dok.docx")
    wrapper = tmp_path / "soffice"
    cache = Cache(tmp_path / "cache")
    real = libreoffice.soffice_path()
    monkeypatch.setenv(libreoffice.SOFFICE_ENV, str(wrapper))

    def install(version: str) -> None:
        wrapper.write_text(_VERSIONED_SOFFICE.format(version=version, real=real),
                           encoding="utf-8")
        wrapper.chmod(0o755)

    def convert() -> list[Path]:
        converter = Converter(cache, tmp_path / "profil")
        converter.convert([tmp_path / "dok.docx"], tmp_path / "ut")
        return converter.converted

    install("7.4.7.2")
    assert convert() == [tmp_path / "dok.docx"]
    assert convert() == [], "the same LibreOffice converted again"
    install("24.2.1.1")
    assert convert() == [tmp_path / "dok.docx"], "a new LibreOffice used the old PDF"
