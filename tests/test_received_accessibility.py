"""Received bilagor that are not accessible: found, named in Swedish, fonts embedded where lossless.

Real PDFs made with reportlab (untagged, plain Helvetica not embedded, an
image-only page) are inspected directly and built into a copy of the demo
through the command line.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode
from meetingdocs.pdf import received
from meetingdocs.tools import poppler

CASE = "revisionsrapport"  # ärende 5 of the demo; its bilaga 1 is the received protokollsutdrag PDF
TEXT = "Revisionsrapport för räkenskapsåret 2020"


# ---------------------------------------------------------------- real PDFs


def helvetica_pdf(path: Path, text: str = TEXT) -> Path:
    """Untagged, one page of plain Helvetica (WinAnsi, not embedded), as many office tools write it."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Revisionsrapport")
    pdf.setFont("Helvetica", 12)
    pdf.drawString(72, 760, text)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 730, "Sammanfattning")
    pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """Page 1 text, page 2 only an image of a page: what a scanner gives."""
    image = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(image).rectangle((40, 40, 360, 80), fill=0)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Inskannat yttrande")
    pdf.setFont("Helvetica", 12)
    pdf.drawString(72, 760, "Följebrev")
    pdf.showPage()
    pdf.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
    pdf.showPage()
    pdf.save()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def font_rows(path: Path) -> dict[str, bool]:
    return {row["name"]: row["emb"] for row in poppler.pdffonts(path)}


# ------------------------------------------------------------ the inspection


def test_untagged_helvetica_is_found_and_named(tmp_path):
    findings = received.inspect_pdf(helvetica_pdf(tmp_path / "a.pdf"))
    blocking = [f.message for f in findings if f.blocks]
    assert blocking == ["saknar taggar (skärmläsare kan inte följa texten)",
                        "typsnitten Helvetica och Helvetica-Bold är inte inbäddade"]


def test_image_only_page_is_scanned_and_the_text_page_is_not(tmp_path):
    findings = received.inspect_pdf(scanned_pdf(tmp_path / "s.pdf"))
    assert "sida 2 är en inskannad bild utan text" in [f.message for f in findings]


def test_demo_bilaga_is_untagged_and_has_its_fonts_embedded():
    """The demo's received protokollsutdrag: reportlab output with embedded Liberation fonts, no tags."""
    tagged = REPO / "sources" / DEMO / CASE / "protokollsutdrag-2020-05-29-14.pdf"
    assert [f.message for f in received.inspect_pdf(tagged) if f.blocks] == [
        "saknar taggar (skärmläsare kan inte följa texten)"]


def test_fonts_are_embedded_without_moving_the_text(tmp_path):
    original = helvetica_pdf(tmp_path / "a.pdf")
    copy = tmp_path / "b.pdf"
    shutil.copyfile(original, copy)
    assert received.embed_standard_fonts(copy) == ["Helvetica", "Helvetica-Bold"]
    assert font_rows(copy) == {"LiberationSans": True, "LiberationSans-Bold": True}
    assert received.unembedded_fonts(pikepdf.open(copy)) == []
    before, after = poppler.words(original), poppler.words(copy)
    assert [w.text for w in after] == [w.text for w in before]
    for old, new in zip(before, after):
        assert abs(old.x0 - new.x0) < 0.01 and abs(old.x1 - new.x1) < 0.01


def test_a_character_of_another_width_keeps_the_font_as_it_is(tmp_path):
    """Liberation Sans draws '±' narrower than Helvetica: embedding would move text, so it is only reported."""
    path = helvetica_pdf(tmp_path / "pm.pdf", text="Avvikelse ± 5 procent")
    before = digest(path)
    assert received.embed_standard_fonts(path) == ["Helvetica-Bold"]
    assert font_rows(path)["Helvetica"] is False
    assert digest(path) != before  # the bold heading was embedded, the body font not
    assert "typsnittet Helvetica är inte inbäddat" in [f.message for f in received.inspect_pdf(path)]


# --------------------------------------------------------- through the build


@pytest.fixture(scope="module")
def bad_bilagor(tmp_path_factory):
    """A copy of the demo with three bad received bilagor in ärende 5, built once."""
    root = tmp_path_factory.mktemp("mottagna")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    case = sources / DEMO / CASE
    helvetica_pdf(case / "revisionsrapport.pdf")
    helvetica_pdf(case / "avvikelser.pdf", text="Avvikelse ± 5 procent")
    scanned_pdf(case / "yttrande.pdf")
    add_bilagor(case / "tjansteskrivelse.md", [("revisionsrapport.pdf", "Revisionsrapport"),
                                               ("avvikelser.pdf", "Avvikelser"),
                                               ("yttrande.pdf", "Yttrande")])
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
    f"Varning: Bilaga 1 till ärende 5 (fil protokollsutdrag-2020-05-29-14.pdf): {UNTAGGED}",
    f"Varning: Bilaga 2 till ärende 5 (fil revisionsrapport.pdf): {UNTAGGED}",
    f"Varning: Bilaga 3 till ärende 5 (fil avvikelser.pdf): {UNTAGGED}",
    "Varning: Bilaga 3 till ärende 5 (fil avvikelser.pdf): typsnittet Helvetica är inte inbäddat — be avsändaren "
    f"om {received.ASK_FONTS}",
    f"Varning: Bilaga 4 till ärende 5 (fil yttrande.pdf): {UNTAGGED}",
    f"Varning: Bilaga 4 till ärende 5 (fil yttrande.pdf): sida 2 är en inskannad bild utan text — be avsändaren "
    f"om {received.ASK_TEXT}",
]


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_build_warns_by_bilaga_arende_and_file(bad_bilagor):
    _, _, result = bad_bilagor
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Varning: Bilaga")]
    assert warnings == EXPECTED_WARNINGS


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_report_lists_what_keeps_the_packet_from_conformance(bad_bilagor):
    _, out, _ = bad_bilagor
    report = (out / DEMO / received.REPORT_FILE).read_text(encoding="utf-8")
    assert report.startswith("Kallelsen uppfyller inte helt kraven")
    for line in EXPECTED_WARNINGS:
        label, _, rest = line.removeprefix("Varning: ").partition(": ")
        assert f"{label}:" in report and rest.split(" — ")[0] in report
    assert "Bilaga 2 till ärende 5 (fil revisionsrapport.pdf): typsnittet Helvetica" in report  # embedded
    fonts = font_rows(out / DEMO / "kallelse.pdf")
    assert fonts.get("Helvetica") is False  # the one font that could not be embedded without loss
    assert fonts.get("LiberationSans") is True


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_strict_build_refuses_and_keeps_the_earlier_packet(bad_bilagor):
    sources, out, _ = bad_bilagor
    published = {p.name: digest(p) for p in (out / DEMO).iterdir() if p.is_file()}
    result = run_build("packet", DEMO, "--strikt", sources=sources, out=out)
    assert result.returncode == ExitCode.not_conforming
    assert "Traceback" not in result.stderr
    message = result.stderr[result.stderr.index("Fel: "):]
    assert "--strikt" in message and "Inget har ändrats i packets/" in message
    for line in EXPECTED_WARNINGS:
        assert line.removeprefix("Varning: ") in message
    assert {p.name: digest(p) for p in (out / DEMO).iterdir() if p.is_file()} == published


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_demo_as_shipped_reports_its_untagged_protokollsutdrag(demo_build):
    report = (demo_build / received.REPORT_FILE).read_text(encoding="utf-8")
    assert report.splitlines()[3:] == [
        "Bilaga 1 till ärende 5 (fil protokollsutdrag-2020-05-29-14.pdf):",
        "  - saknar taggar (skärmläsare kan inte följa texten); be avsändaren om "
        "en tillgänglig PDF (taggad, PDF/UA)",
    ]
    # the received Word bilaga comes back tagged from LibreOffice: nothing to report
    assert "protokollsutdrag-2020-02-14-8.docx" not in report
