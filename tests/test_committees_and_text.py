"""A second committee by adding sources only; text from sources is data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode

SECOND = REPO / "tests" / "fixtures" / "second-committee"


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def add_second_committee(sources: Path, folder_name: str = "2021-03-15") -> Path:
    shutil.copy(SECOND / "namnder" / "bun.yaml", sources / "namnder" / "bun.yaml")
    target = sources / folder_name
    shutil.copytree(SECOND / "2021-03-15", target)
    return target


# Template syntax and markup written into the demo's budget-2021.md (printed literally, never run).
LITERAL_HEADING = "Budget 2021 <b>{{ rubrik }}</b> & {% raw %}"
LITERAL_TEXT = "Mallkod {{ namnd }} och {% if x %}ja{% endif %} samt <b>fet?</b> & <script>x</script> &amp;"


def write_literal_markup(sources: Path) -> None:
    case = sources / DEMO / "budget-2021.md"
    text = case.read_text(encoding="utf-8")
    text = text.replace("rubrik: Budget 2021", f'rubrik: "{LITERAL_HEADING}"', 1)
    text = text.replace("## Förslag till beslut", f"{LITERAL_TEXT}\n\n## Förslag till beslut", 1)
    case.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def two_committees(tmp_path_factory) -> Path:
    """packets/ after building the second committee's meeting, then the demo beside it, from one copy of
    sources/ with the second committee added and template syntax in the demo's text (one build each)."""
    sources = tmp_path_factory.mktemp("two-committees") / "sources"
    shutil.copytree(REPO / "sources", sources)
    add_second_committee(sources)
    write_literal_markup(sources)
    out = sources.parent / "packets"
    for meeting in ("2021-03-15", DEMO):
        result = run_build("packet", meeting, sources=sources, out=out)
        assert result.returncode == 0, result.stderr
    return out


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_second_committee_builds_from_its_own_sources(two_committees):
    pdf = two_committees / "2021-03-15" / "kallelse.pdf"
    text = pdf_text(pdf)
    assert "Barn- och utbildningsnämnden" in text and "Exempelby kommun" in text
    assert "Förvaltningschefens förslag" in text
    assert "Regiondirektörens förslag" not in text and "Region Jämtland" not in text
    assert "Lena Lindqvist (S)" in text and "Eva Exempel" in text
    assert "Paus kl. 14:30-14:45" in text
    assert "Informationer" in text
    reader = PdfReader(pdf)
    assert reader.metadata.author == "Barn- och utbildningsnämnden"
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top[:2] == ["Kallelse", "Innehåll"] and len(top) == 5
    # The first committee's meeting still builds beside it.
    assert "Regiondirektörens förslag" in pdf_text(two_committees / DEMO / "kallelse.pdf")


def test_two_committees_on_one_date_need_the_full_folder_name(sources, tmp_path):
    for name in ("2021-03-15-bun", "2021-03-15-bun2"):
        folder = add_second_committee(sources, name) if name.endswith("bun") else None
        if folder is None:
            shutil.copytree(sources / "2021-03-15-bun", sources / name)
    result = run_build("packet", "2021-03-15", sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(ExitCode.bad_args)
    assert "2021-03-15-bun, 2021-03-15-bun2" in result.stderr
    assert "DATE=2021-03-15-bun" in result.stderr
    listing = run_build("list", sources=sources)
    assert listing.stdout.split() == ["2018-12-07", DEMO, "2021-03-15-bun", "2021-03-15-bun2"]


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_template_syntax_and_markup_in_sources_are_printed_literally(two_committees):
    flat = " ".join(pdf_text(two_committees / DEMO / "kallelse.pdf").split())
    assert LITERAL_TEXT in flat
    assert LITERAL_HEADING in flat
    kallelse = docx.Document(two_committees / DEMO / "kallelse.docx")
    assert any(LITERAL_TEXT in p.text for p in kallelse.paragraphs)
