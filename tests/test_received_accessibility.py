"""Received bilagor that are not accessible: found, named in Swedish, fonts embedded where lossless.

The bad cases are small fixtures of their own (tests/fixtures/received/, made by make_fixtures.py
there: untagged, plain Helvetica not embedded, an image-only page). They are inspected directly and
built into a copy of the demo through the command line: warnings, tillganglighet.txt, the --strikt
refusal and conformance claims kept off.

The demo meetings' own stand-in bilagor (scripts/make_demo_attachments.py,
scripts/make_2018_attachments.py) are tagged, accessible PDFs: the demo builds without a warning
about its received bilagor, its tillganglighet.txt says so, and its kallelse claims PDF/UA-1.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode
from meetingdocs.pdf import received
from meetingdocs.pdf.structure import resolve_role, structure_elements
from meetingdocs.tools import poppler

CASE = "revisionsrapport"  # ärende 5 of the demo; its bilaga 1 is the received protokollsutdrag PDF
FIXTURES = Path(__file__).parent / "fixtures" / "received"
OUTLOUD = Path(sys.executable).parent / "outloud"

# The stand-ins the scripts write into sources/, with their page counts (the packet tests count on them).
STANDINS = {
    REPO / "sources" / "2020-12-11" / CASE / "protokollsutdrag-2020-05-29-14.pdf": 2,
    REPO / "sources" / "2018-12-07" / "gemensamt-dataskyddsbud" / "gemensamt-dataskyddsbud-brevGNS.pdf": 2,
    REPO / "sources" / "2018-12-07" / "gemensamt-dataskyddsbud" / "gns-personalkostnad.pdf": 1,
}
SCRIPTS = {
    "make_demo_attachments.py": ["protokollsutdrag-2020-05-29-14.pdf", "protokollsutdrag-2020-02-14-8.docx"],
    "make_2018_attachments.py": ["gemensamt-dataskyddsbud-brevGNS.pdf", "gns-personalkostnad.pdf"],
}


def fixture(name: str, folder: Path) -> Path:
    """A copy of fixtures/received/``name`` in ``folder`` (tests that change a file change the copy)."""
    return Path(shutil.copy(FIXTURES / name, folder / name))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def font_rows(path: Path) -> dict[str, bool]:
    return {row["name"]: row["emb"] for row in poppler.pdffonts(path)}


def claims(path: Path) -> tuple[str | None, str | None]:
    """(pdfuaid:part, pdfaid:part) as the file's XMP says."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        return meta.get("pdfuaid:part"), meta.get("pdfaid:part")


# ------------------------------------------------------------- the fixtures


def test_fixtures_are_what_their_generator_makes(tmp_path):
    result = subprocess.run([sys.executable, str(FIXTURES / "make_fixtures.py"), "--outdir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert made == sorted(p.name for p in FIXTURES.glob("*.pdf")) and len(made) == 4
    for name in made:
        assert filecmp.cmp(tmp_path / name, FIXTURES / name, shallow=False), name


# ------------------------------------------------------------ the inspection


def test_untagged_helvetica_is_found_and_named():
    findings = received.inspect_pdf(FIXTURES / "helvetica.pdf")
    blocking = [f.message for f in findings if f.blocks]
    assert blocking == ["saknar taggar (skärmläsare kan inte följa texten)",
                        "typsnitten Helvetica och Helvetica-Bold är inte inbäddade"]


def test_untagged_pdf_with_embedded_fonts_lacks_only_its_tags():
    findings = received.inspect_pdf(FIXTURES / "otaggad.pdf")
    assert [(f.message, f.blocks) for f in findings] == [("saknar taggar (skärmläsare kan inte följa texten)", True)]


def test_image_only_page_is_scanned_and_the_text_page_is_not():
    findings = received.inspect_pdf(FIXTURES / "inskannad.pdf")
    assert "sida 2 är en inskannad bild utan text" in [f.message for f in findings]
    assert not [f for f in findings if "sida 1" in f.message]


def test_fonts_are_embedded_without_moving_the_text(tmp_path):
    original = FIXTURES / "helvetica.pdf"
    copy = fixture("helvetica.pdf", tmp_path)
    assert received.embed_standard_fonts(copy) == ["Helvetica", "Helvetica-Bold"]
    assert font_rows(copy) == {"LiberationSans": True, "LiberationSans-Bold": True}
    assert received.unembedded_fonts(pikepdf.open(copy)) == []
    before, after = poppler.words(original), poppler.words(copy)
    assert [w.text for w in after] == [w.text for w in before]
    for old, new in zip(before, after):
        assert abs(old.x0 - new.x0) < 0.01 and abs(old.x1 - new.x1) < 0.01


def test_a_character_of_another_width_keeps_the_font_as_it_is(tmp_path):
    """Liberation Sans draws '±' narrower than Helvetica: embedding would move text, so it is only reported."""
    path = fixture("helvetica-plusminus.pdf", tmp_path)
    before = digest(path)
    assert received.embed_standard_fonts(path) == ["Helvetica-Bold"]
    assert font_rows(path)["Helvetica"] is False
    assert digest(path) != before  # the bold heading was embedded, the body font not
    assert "typsnittet Helvetica är inte inbäddat" in [f.message for f in received.inspect_pdf(path)]


# ----------------------------------------------------- the demos' stand-ins


def structure_types(pdf: pikepdf.Pdf) -> list[str]:
    """The standard type of every structure element, in reading order."""
    tree = pdf.Root.StructTreeRoot
    role_map = tree.get("/RoleMap", pikepdf.Dictionary())
    return [str(resolve_role(element.S, role_map)) for element in structure_elements(tree)]


def heading_levels(types: list[str]) -> list[int]:
    return [int(t[2:]) for t in types if len(t) == 3 and t.startswith("/H") and t[2].isdigit()]


@pytest.mark.parametrize("path", STANDINS, ids=[p.name for p in STANDINS])
def test_standin_is_a_tagged_accessible_pdf(path):
    assert received.inspect_pdf(path) == []  # tagged, fonts embedded, text, language and title: nothing to note
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == STANDINS[path]
        assert pdf.Root.Lang == "sv-SE" and str(pdf.docinfo.Title).strip()
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        types = structure_types(pdf)
    levels = heading_levels(types)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels  # no level skipped
    assert "/L" in types and types.count("/LI") >= 2
    if "personalkostnad" in path.name or "brevGNS" in path.name:
        assert types.count("/Table") == 2 and "/TH" in types
    assert claims(path) == ("1", "2")


def test_outloud_finds_no_error_in_the_standins():
    result = subprocess.run([str(OUTLOUD), "--fail-on", "never", "--json", "-", *map(str, STANDINS)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for report in json.loads(result.stdout)["results"]:
        errors = [f"{f['rule']} p.{f.get('page', '-')}: {f['message']}" for f in report["findings"]
                  if f["severity"] == "error"]
        assert errors == [], (Path(report["path"]).name, errors)


def run_script(script: str, outdir: Path) -> dict[str, Path]:
    """Run scripts/``script`` as its docstring says, writing into ``outdir``; its files by name."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / script), "--outdir", str(outdir)],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return {name: outdir / name for name in SCRIPTS[script]}


def shipped(name: str) -> Path:
    return next(path for path in STANDINS if path.name == name)


@pytest.mark.libreoffice
def test_demo_script_makes_the_same_bytes_twice(tmp_path):
    first, second = (run_script("make_demo_attachments.py", tmp_path / run) for run in ("1", "2"))
    for name in SCRIPTS["make_demo_attachments.py"]:
        assert filecmp.cmp(first[name], second[name], shallow=False), name
    pdf = "protokollsutdrag-2020-05-29-14.pdf"
    assert len(PdfReader(first[pdf]).pages) == STANDINS[shipped(pdf)]


@pytest.mark.libreoffice
def test_2018_script_makes_accessible_pdfs_as_long_as_the_shipped_ones(tmp_path):
    for name, path in run_script("make_2018_attachments.py", tmp_path).items():
        assert received.inspect_pdf(path) == [], name
        assert len(PdfReader(path).pages) == STANDINS[shipped(name)], name


# --------------------------------------------------------- through the build


# (fixture, file name in ärende 5, title): bilagor 2-5 of ärende 5, after the demo's own protokollsutdrag
BAD_BILAGOR = [("otaggad.pdf", "mottaget-utdrag.pdf", "Mottaget utdrag"),
               ("helvetica.pdf", "revisionsrapport.pdf", "Revisionsrapport"),
               ("helvetica-plusminus.pdf", "avvikelser.pdf", "Avvikelser"),
               ("inskannad.pdf", "yttrande.pdf", "Yttrande")]


@pytest.fixture(scope="module")
def bad_bilagor(tmp_path_factory):
    """A copy of the demo with four bad received bilagor in ärende 5, built once."""
    root = tmp_path_factory.mktemp("mottagna")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    case = sources / DEMO / CASE
    for fixture_name, name, _ in BAD_BILAGOR:
        shutil.copy(FIXTURES / fixture_name, case / name)
    add_bilagor(case / "tjansteskrivelse.md", [(name, title) for _, name, title in BAD_BILAGOR])
    out = root / "packets"
    result = run_build("packet", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    return sources, out, result


def add_bilagor(case: Path, entries: list[tuple[str, str]]) -> None:
    """Append bilagor to the tjänsteskrivelse's front matter, as the secretary would."""
    text = case.read_text(encoding="utf-8")
    head, end, body = text.partition("\n---\n")
    lines = "".join(f"\n  - fil: {name}\n    titel: {title}" for name, title in entries)
    case.write_text(head + lines + end + body, encoding="utf-8")


UNTAGGED = f"saknar taggar (skärmläsare kan inte följa texten) — be avsändaren om {received.ASK_TAGGED}"
EXPECTED_WARNINGS = [
    f"Varning: Bilaga 2 till ärende 5 (fil mottaget-utdrag.pdf): {UNTAGGED}",
    f"Varning: Bilaga 3 till ärende 5 (fil revisionsrapport.pdf): {UNTAGGED}",
    f"Varning: Bilaga 4 till ärende 5 (fil avvikelser.pdf): {UNTAGGED}",
    "Varning: Bilaga 4 till ärende 5 (fil avvikelser.pdf): typsnittet Helvetica är inte inbäddat — be avsändaren "
    f"om {received.ASK_FONTS}",
    f"Varning: Bilaga 5 till ärende 5 (fil yttrande.pdf): {UNTAGGED}",
    f"Varning: Bilaga 5 till ärende 5 (fil yttrande.pdf): sida 2 är en inskannad bild utan text — be avsändaren "
    f"om {received.ASK_TEXT}",
]


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_build_warns_by_bilaga_arende_and_file(bad_bilagor):
    _, _, result = bad_bilagor
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Varning: Bilaga")]
    assert warnings == EXPECTED_WARNINGS
    # bilaga 1, the demo's own received protokollsutdrag, is tagged and accessible: no warning names it
    assert "protokollsutdrag-2020-05-29-14.pdf" not in result.stderr


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_report_lists_what_keeps_the_packet_from_conformance_and_claims_stay_off(bad_bilagor):
    _, out, _ = bad_bilagor
    report = (out / DEMO / received.REPORT_FILE).read_text(encoding="utf-8")
    assert report.startswith("Kallelsen uppfyller inte helt kraven")
    for line in EXPECTED_WARNINGS:
        label, _, rest = line.removeprefix("Varning: ").partition(": ")
        assert f"{label}:" in report and rest.split(" — ")[0] in report
    assert "protokollsutdrag-2020-05-29-14.pdf" not in report
    assert "Bilaga 3 till ärende 5 (fil revisionsrapport.pdf): typsnittet Helvetica" in report  # embedded
    kallelse = out / DEMO / "kallelse.pdf"
    fonts = font_rows(kallelse)
    assert fonts.get("Helvetica") is False  # the one font that could not be embedded without loss
    assert fonts.get("LiberationSans") is True
    assert claims(kallelse) == (None, None)


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_strict_build_refuses_and_keeps_the_earlier_packet(bad_bilagor):
    sources, out, _ = bad_bilagor
    published = {p.name: digest(p) for p in (out / DEMO).iterdir() if p.is_file()}
    result = run_build("packet", DEMO, "--strikt", sources=sources, out=out)
    assert result.returncode == ExitCode.not_conforming == 8
    assert "Traceback" not in result.stderr
    message = result.stderr[result.stderr.index("Fel: "):]
    assert "--strikt" in message and "Inget har ändrats i packets/" in message
    for line in EXPECTED_WARNINGS:
        assert line.removeprefix("Varning: ") in message
    assert "protokollsutdrag-2020-05-29-14.pdf" not in message
    assert {p.name: digest(p) for p in (out / DEMO).iterdir() if p.is_file()} == published


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_demo_as_shipped_has_no_received_bilaga_that_falls_short(demo_build):
    report = (demo_build / received.REPORT_FILE).read_text(encoding="utf-8")
    assert report == ("Kallelsen uppfyller kraven på tillgänglighet för de mottagna bilagorna: alla är taggade, "
                      "har inbäddade typsnitt och innehåller text, inte inskannade bilder.\n")
    assert claims(demo_build / "kallelse.pdf") == ("1", "2")
