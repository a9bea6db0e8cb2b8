"""Every published PDF: XMP metadata that agrees with the Info dictionary, and claims only where they hold.

The demo's outputs are checked with outloud (a PDF/UA-1 and WCAG checker, pinned in requirements.txt):
no errors in any of them, and every kind of warning left is explained in the README (its rule id in the
section "Tillgänglighet och arkivering"); what it finds is printed (``pytest -s``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO, run_build
from meetingdocs.pdf import conformance, sanitize
from meetingdocs.pdf.structure import structure_elements

OUTLOUD = Path(sys.executable).parent / "outloud"
METADATA_RULES = {"DOC-010": "title", "DOC-011": "title not displayed", "DOC-013": "no language",
                  "DOC-014": "language tag", "DOC-015": "Info and XMP titles disagree"}
PDFUA_IDENTIFICATION = "DOC-012"
BLOCKER = "Bilaga 1 till ärende 5 (fil yttrande.pdf): saknar taggar"

pytestmark = [pytest.mark.libreoffice, pytest.mark.poppler]


@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> Path:
    """The demo's protokoll, utdrag and anslagsbevis, built from a private copy of the sources."""
    root = tmp_path_factory.mktemp("protokoll")
    shutil.copytree(REPO / "sources", root / "sources")
    result = run_build("protokoll", DEMO, sources=root / "sources", out=root / "packets")
    assert result.returncode == 0, result.stderr
    return root / "packets" / DEMO


@pytest.fixture(scope="module")
def outputs(demo_build, minutes) -> list[Path]:
    names = ["protokoll.pdf", "anslagsbevis.pdf", "anslagsbevis-omedelbar.pdf"]
    found = [demo_build / "kallelse.pdf", *(minutes / name for name in names),
             *sorted((minutes / "utdrag").glob("*.pdf"))]
    assert len(found) > 5 and all(path.is_file() for path in found)
    return found


@pytest.fixture(scope="module")
def findings(outputs) -> dict[str, list[dict]]:
    return outloud(outputs)


def xmp(pdf: pikepdf.Pdf):
    return pdf.open_metadata()


def claims(path: Path) -> tuple[str | None, str | None, str | None]:
    """(pdfuaid:part, pdfaid:part, pdfaid:conformance) as the file's XMP says."""
    with pikepdf.open(path) as pdf:
        meta = xmp(pdf)
        return meta.get("pdfuaid:part"), meta.get("pdfaid:part"), meta.get("pdfaid:conformance")


# ------------------------------------------------------------- the demo


def test_outloud_finds_no_metadata_problem(outputs, findings):
    for path in outputs:
        rules = {f["rule"] for f in findings[path.name]}
        assert not rules & METADATA_RULES.keys(), (path.name, rules & METADATA_RULES.keys())
        claimed = claims(path)[0] == "1"
        assert (PDFUA_IDENTIFICATION in rules) == (not claimed), path.name
    for path in outputs:  # every demo output passes our checks, the kallelse with its received bilagor too
        assert claims(path) == ("1", "2", "B"), path.name


def outloud(paths: list[Path]) -> dict[str, list[dict]]:
    """outloud's findings (errors and warnings) per file name; printed for the record (``pytest -s``)."""
    result = subprocess.run([str(OUTLOUD), "--fail-on", "never", "--json", "-", *map(str, paths)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    by_file = {Path(r["path"]).name: [f for f in r["findings"] if f["severity"] != "info"] for r in results}
    for r in results:
        print(f"\noutloud {Path(r['path']).name}: {r['counts']['error']} fel, {r['counts']['warning']} varningar")
        for f in by_file[Path(r["path"]).name]:
            print(f"  {f['severity']:7} {f['rule']} p.{f.get('page', '-')}: {f['message']}")
    return by_file


def readme_accessibility_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Tillgänglighet och arkivering")
    return readme[start:readme.index("\n## ", start)]


def assert_accessible(findings: dict[str, list[dict]]) -> None:
    """No errors in any file; every kind of warning left is explained, by its rule id, in the README."""
    explained = readme_accessibility_section()
    for name, found in findings.items():
        errors = [f"{f['rule']} p.{f.get('page', '-')}: {f['message']}" for f in found if f["severity"] == "error"]
        assert not errors, (name, errors)
        unexplained = {f["rule"] for f in found} - set(re.findall(r"[A-Z]{3,4}-\d{3}", explained))
        assert not unexplained, (name, unexplained, "explain them in README, 'Tillgänglighet och arkivering'")


def test_no_demo_output_has_an_accessibility_error(findings):
    assert_accessible(findings)


def test_xmp_agrees_with_info(outputs):
    for path in outputs:
        with pikepdf.open(path) as pdf:
            info, meta, root = pdf.docinfo, xmp(pdf), pdf.Root
            assert meta["dc:title"] == str(info["/Title"]) != ""
            assert meta["dc:creator"] == [str(info["/Author"])]
            assert meta["dc:description"] == str(info["/Subject"])
            assert meta["xmp:CreatorTool"] == str(info["/Creator"])
            assert meta["pdf:Producer"] == str(info["/Producer"])
            assert meta["dc:language"] == {"sv-SE"} and root.Lang == "sv-SE"
            for date_key, xmp_key in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
                assert (date_key in info) == (xmp_key in meta), path.name
            assert root.ViewerPreferences.DisplayDocTitle is True
            assert pdf.pdf_version == "1.7" and len(pdf.trailer.ID) == 2
            intent, = root.OutputIntents
            assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3


def test_claims_only_where_our_checks_pass(outputs):
    for path in outputs:
        pdfua, pdfa, level = claims(path)
        assert (pdfua is None) == (pdfa is None) == (level is None), path.name
        if pdfua is None:
            continue
        with pikepdf.open(path) as pdf:
            assert conformance.problems(pdf, sanitize.find_active_content(path)) == [], path.name
            assert pdf.Root.MarkInfo.Marked is True
            assert all(page.obj.Tabs == "/S" for page in pdf.pages)


# ------------------------------------------------------- what keeps claims off


def test_a_blocker_keeps_the_claims_off(minutes, tmp_path):
    source = minutes / "protokoll.pdf"
    claimed = conformance.finalize(source, tmp_path / "fri.pdf")
    assert claimed.claims == ["PDF/UA-1", "PDF/A-2B"] and claimed.reasons == []

    report = conformance.finalize(source, tmp_path / "blockerad.pdf", blockers=[BLOCKER])

    assert report.claims == [] and report.reasons == [BLOCKER]
    assert claims(tmp_path / "blockerad.pdf") == (None, None, None)
    with pikepdf.open(tmp_path / "blockerad.pdf") as pdf:
        assert xmp(pdf)["dc:title"] == str(pdf.docinfo["/Title"])  # the metadata is written all the same


def test_an_unembedded_font_in_a_tagged_file_keeps_the_claims_off(minutes, tmp_path):
    tagged = tmp_path / "helvetica.pdf"
    with pikepdf.open(minutes / "protokoll.pdf") as pdf:
        fonts = pdf.pages[0].Resources.Font
        fonts.FHelv = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                         BaseFont=pikepdf.Name.Helvetica)
        pdf.save(tagged)

    report = conformance.finalize(tagged, tagged)

    assert report.reasons == ["typsnittet Helvetica är inte inbäddat"]
    assert claims(tagged) == (None, None, None)


def test_a_plain_reportlab_pdf_claims_nothing_and_says_why(tmp_path):
    plain = tmp_path / "mottagen.pdf"
    drawing = canvas.Canvas(str(plain))
    drawing.setFont("Helvetica", 12)
    drawing.drawString(72, 720, "Yttrande från revisorerna")
    drawing.save()

    report = conformance.finalize(plain, plain, title="Yttrande")

    assert report.claims == []
    assert "typsnittet Helvetica är inte inbäddat" in report.reasons
    assert "dokumentet saknar taggar (strukturträd)" in report.reasons
    with pikepdf.open(plain) as pdf:
        assert claims(plain) == (None, None, None)
        assert xmp(pdf)["dc:title"] == str(pdf.docinfo["/Title"]) == "Yttrande"
        assert "/MarkInfo" not in pdf.Root  # not tagged: it does not say it is


def test_finalize_gives_the_same_bytes_every_time(minutes, tmp_path):
    """The protokoll's files are rebuilt byte for byte (the send log knows a sent utdrag by its digest)."""
    source = minutes / "utdrag" / "protokollsutdrag-34.pdf"
    conformance.finalize(source, tmp_path / "first.pdf")
    conformance.srgb_profile.cache_clear()
    time.sleep(1.1)  # a clock in the ICC profile or the /ID would show
    conformance.finalize(source, tmp_path / "second.pdf")
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()


# ---------------------------------------------------------- links and cells


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mailto_targets(path: Path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(annot.A.URI)[len("mailto:"):] for page in pdf.pages for annot in page.obj.get("/Annots", [])
                if annot.get("/Subtype") == "/Link" and "/A" in annot and str(annot.A.get("/URI", "")).startswith("mailto:")}


def test_every_printed_email_address_is_a_mailto_link(outputs):
    """The handläggare's e-post in each tjänsteskrivelse head (from the template, not Markdown) is a link."""
    kallelse = outputs[0]
    printed = set(EMAIL.findall(subprocess.run(["pdftotext", str(kallelse), "-"], capture_output=True, text=True,
                                               check=True).stdout))
    assert "jessica.hadell@example.org" in printed
    assert printed <= mailto_targets(kallelse), printed - mailto_targets(kallelse)


def test_vote_table_has_column_heads_and_no_empty_paragraphs(minutes):
    """The vote table's empty cells: the TD stays (the grid and its header associations), the empty P goes."""
    with pikepdf.open(minutes / "protokoll.pdf") as pdf:
        elements = list(structure_elements(pdf.Root.StructTreeRoot))
        kinds = [str(e.S) for e in elements]
        assert "/Table" in kinds and "/TH" in kinds
        empty = [str(e.S) for e in elements if not e.get("/K") and "/Alt" not in e and "/ActualText" not in e]
        assert empty and set(empty) <= {"/TD"}, set(empty)
        for header in (e for e in elements if e.S == "/TH"):  # the vote table's Ja/Nej/Avstår heads their columns
            attributes = header.A if isinstance(header.A, pikepdf.Array) else [header.A]
            assert any(a.get("/O") == "/Table" and a.get("/Scope") == "/Column" for a in attributes)
        rows = [e for e in elements if e.S == "/TR"]
        assert len({len([k for k in e.K if isinstance(k, pikepdf.Dictionary)]) for e in rows}) == 1  # full grid


# ------------------------------------------- what the packet's own checks find


def with_hidden_note(tagged: Path, out: Path) -> Path:
    """A tagged, font-embedding PDF (one of ours) with a hidden comment: our received-bilaga review passes it,
    only the check of the finished packet sees the annotation."""
    with pikepdf.open(tagged) as pdf:
        note = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                                                    Rect=[300, 500, 320, 520], Contents="Intern kommentar", F=2))
        pdf.pages[0].obj.Annots = pikepdf.Array([note])
        pdf.save(out)
    return out


@pytest.mark.parametrize("strict", [False, True], ids=["varnar", "strikt"])
def test_what_the_finished_packet_check_finds_is_said_and_keeps_claims_off(minutes, tmp_path, strict):
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "sources", sources)
    received = sources / DEMO / "revisionsrapport" / "protokollsutdrag-2020-05-29-14.pdf"
    with_hidden_note(minutes / "utdrag" / "protokollsutdrag-35.pdf", received)
    packets = tmp_path / "packets"

    result = run_build("packet", DEMO, *(["--strikt"] if strict else []), sources=sources, out=packets)

    assert "Traceback" not in result.stderr
    problem = "anteckningar som inte skrivs ut eller är dolda på sidan 17"
    if strict:
        assert result.returncode == 8, result.stderr
        assert f"Kallelsen: {problem}" in result.stderr and "--strikt" in result.stderr
        assert not (packets / DEMO / "kallelse.pdf").exists()
        return
    assert result.returncode == 0, result.stderr
    assert f"Varning: Kallelsen märks inte som tillgänglig och arkivbeständig (PDF/UA-1, PDF/A-2): {problem}" \
        in result.stderr
    assert problem in (packets / DEMO / "tillganglighet.txt").read_text(encoding="utf-8")
    assert claims(packets / DEMO / "kallelse.pdf") == (None, None, None)


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_a_table_that_fits_on_a_page_is_not_split(demo_build):
    """The economy table of the delårsrapport (21 rows) moves whole to the next page with its heading: no
    repeated header row on a second page, which a checker reads as hidden prose."""
    pages = page_texts(demo_build / "kallelse.pdf")
    first = next(i for i, text in enumerate(pages) if "Patientavgifter" in text)
    assert "Summa Verksamhetens" in pages[first] and "Ekonomiskt resultat" in pages[first]
    assert sum("Intäkter och kostnader i tkr" in text for text in pages) == 1
