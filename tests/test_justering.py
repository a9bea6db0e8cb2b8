"""Omedelbar justering carried through, överklagandehänvisning, written reservations in their utdrag and no
stale documents: through the command line, the PDFs read back with pdftotext, e-mail to a server on loopback.

Three protokoll builds (module fixtures) of copies of the demo:

- ``final``: justerat, § 34 (punkt 4) justerad omedelbart with its own notice posted 2020-12-14,
  § 33 (punkt 3) ``överklagande: nej``, § 35 (punkt 5) ``överklagande: förvaltningsbesvär``;
- ``early``: the same before the protokoll is justerat, built into a copy of ``final``'s folder;
- ``changed``: built into a copy of ``early``'s folder after the committee says ``överklagande: nej``,
  § 36 gets its own text, punkt 4 is no longer justerad omedelbart, punkt 11 is gone and the protokoll is
  justerat again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode
from meetingdocs.minutes.record import APPEAL_ADMINISTRATIVE, APPEAL_LAWFULNESS, APPEAL_NONE, appeal_route
from test_protokoll import pdf_pages
from test_send_support import filename, smtp  # noqa: F401 - fixture


RECORD = Path(DEMO) / "protokoll.yaml"
AGENDA = Path(DEMO) / "mote.yaml"
COMMITTEE = Path("namnder") / "gns.yaml"
IMMEDIATE_LINE = "anslag omedelbar justering: 2020-12-14"
PARTER = 9  # addresses under "Nämndens parter" in the demo address book


# ----------------------------------------------------------------- helpers


def edit(sources: Path, relative: Path, old: str, new: str) -> None:
    path = sources / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def remove_line(sources: Path, relative: Path, start: str) -> None:
    path = sources / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(start)]
    assert len(kept) == len(lines) - 1, f"{start!r} not once in {path}"
    path.write_text("".join(kept), encoding="utf-8")


def pages(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def text(pdf: Path) -> str:
    return " ".join(pages(pdf))


@dataclass
class Build:
    sources: Path
    out: Path

    @property
    def folder(self) -> Path:
        return self.out / DEMO

    def utdrag(self, paragraph: int) -> Path:
        return self.folder / "utdrag" / f"protokollsutdrag-{paragraph}.pdf"

    def files(self) -> set[str]:
        return {p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*") if p.is_file()
                and not p.relative_to(self.folder).as_posix().startswith("utskick/")}


def build(sources: Path, out: Path) -> Build:
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return Build(sources, out)


def copy_build(previous: Build, root: Path) -> Build:
    """The sources and the published folder of ``previous``, to change and rebuild."""
    shutil.copytree(previous.sources, root / "sources")
    shutil.copytree(previous.folder, root / "packets" / DEMO)
    return Build(root / "sources", root / "packets")


@pytest.fixture(scope="module")
def final(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("slutligt")
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    assert IMMEDIATE_LINE in (sources / RECORD).read_text(encoding="utf-8")
    edit(sources, RECORD, "  3: bifall\n", "  3:\n    beslut: bifall\n    överklagande: nej\n")
    edit(sources, RECORD, "  5: bifall\n", "  5:\n    beslut: bifall\n    överklagande: förvaltningsbesvär\n")
    return build(sources, root / "packets")


@pytest.fixture(scope="module")
def early(final, tmp_path_factory) -> Build:
    copy = copy_build(final, tmp_path_factory.mktemp("ojusterat"))
    edit(copy.sources, RECORD, "justerat: ja\n", "justerat: nej\n")
    return build(copy.sources, copy.out)


@pytest.fixture(scope="module")
def changed(early, tmp_path_factory) -> Build:
    copy = copy_build(early, tmp_path_factory.mktemp("andrat"))
    sources = copy.sources
    edit(sources, RECORD, "justerat: nej\n", "justerat: ja\n")
    with (sources / COMMITTEE).open("a", encoding="utf-8") as committee:
        committee.write("\növerklagande: nej\n")
    edit(sources, RECORD, "  6:\n", "  6:\n    överklagande: Egen överklagandetext för paragraf 36.\n")
    edit(sources, RECORD, "    justeras omedelbart: ja\n", "")
    remove_line(sources, RECORD, IMMEDIATE_LINE)
    remove_line(sources, AGENDA, "  - ärende: delarsrapport-augusti-2020")
    edit(sources, RECORD, "  11:\n    beslut: bifall\n    expedieras till:\n      - Ekonom\n", "")
    return build(sources, copy.out)


# ----------------------------------------------------- omedelbar justering


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_the_immediate_paragraph_has_its_own_justering_and_dates(final):
    extract = text(final.utdrag(34))
    assert "Paragrafen justerades omedelbart vid sammanträdet 2020-12-11." in extract
    assert "Paragrafen justerades omedelbart vid sammanträdet 2020-12-11 av ordföranden och justeraren" in extract
    assert "Robert Hamberg (M)" in extract and "Susanne Hansson (S)" in extract  # they sign at the §
    assert ("tillkännagivandet om den omedelbara justeringen sattes upp på anslagstavlan (2020-12-14). "
            "Sista dag att överklaga är 2021-01-04.") in extract
    assert "Protokollet justerades" not in extract and "2020-12-17" not in extract and "2021-01-07" not in extract

    other = text(final.utdrag(31))
    assert "Protokollet justerades 2020-12-16." in other
    assert "(2020-12-17). Sista dag att överklaga är 2021-01-07." in other
    assert "omedelbar" not in other and "2021-01-04" not in other

    notice = text(final.folder / "anslagsbevis-omedelbar.pdf")
    assert "§ 34 i protokollet från" in notice and "justerades omedelbart vid sammanträdet" in notice
    for row in ("Paragrafer § 34 ", "Datum för justering 2020-12-11", "Anslaget sätts upp 2020-12-14",
                "Anslaget tas ned 2021-01-05", "Sista dag att överklaga är 2021-01-04."):
        assert row in notice, row
    assert "2020-12-17" not in notice and "2021-01-07" not in notice

    main = text(final.folder / "anslagsbevis.pdf")
    for row in ("Paragrafer §§ 31–33, 35–41", "Datum för justering 2020-12-16", "Anslaget sätts upp 2020-12-17",
                "Anslaget tas ned 2021-01-08", "Sista dag att överklaga är 2021-01-07.",
                "§ 34 justerades omedelbart vid sammanträdet och har ett eget bevis om anslag"):
        assert row in main, row
    assert "2021-01-04" not in main


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_the_protokoll_records_the_immediate_justering(final):
    protokoll = text(final.folder / "protokoll.pdf")
    assert "Justeringens plats och tid Digital justering, 2020-12-16 § 34 justerades omedelbart vid " \
           "sammanträdet 2020-12-11" in protokoll
    assert "Paragrafen justerades omedelbart vid sammanträdet 2020-12-11 av ordföranden och justeraren" in protokoll
    for row in ("Datum för justering 2020-12-16 § 34: 2020-12-11 (omedelbar justering)",
                "Anslaget sätts upp 2020-12-17 § 34: 2020-12-14", "Anslaget tas ned 2021-01-08 § 34: 2021-01-05"):
        assert row in protokoll, row


# ------------------------------------------------------------ överklagande


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_appeal_texts_per_paragraph_in_the_protokoll(final):
    protokoll = text(final.folder / "protokoll.pdf")
    closing = protokoll[protokoll.index("Hur man överklagar"):]
    assert ("Gäller §§ 31–32, 36–41 Besluten kan överklagas genom laglighetsprövning enligt 13 kap. "
            "kommunallagen") in closing
    assert "protokollets justering sattes upp på anslagstavlan (2020-12-17). Sista dag att överklaga är " \
           "2021-01-07." in closing
    assert "Gäller § 34 (justerad omedelbart) Beslutet kan överklagas genom laglighetsprövning" in closing
    assert "(2020-12-14). Sista dag att överklaga är 2021-01-04." in closing
    assert "Gäller § 35 Beslutet kan överklagas genom förvaltningsbesvär enligt förvaltningslagen" in closing
    assert "§ 33" not in closing  # överklagande: nej
    assert "Skicka överklagandet direkt till förvaltningsrätten, inte till nämnden" in closing


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_appeal_text_in_each_utdrag(final):
    lawful = text(final.utdrag(36))
    assert "Hur man överklagar Beslutet kan överklagas genom laglighetsprövning enligt 13 kap. kommunallagen" in lawful
    assert "inom tre veckor" in lawful and "Sista dag att överklaga är 2021-01-07." in lawful

    administrative = text(final.utdrag(35))
    assert "förvaltningsbesvär enligt förvaltningslagen (2017:900)" in administrative
    assert ("ställs till förvaltningsrätten men skickas till nämnden (Region Jämtland Härjedalen), dit det ska ha "
            "kommit in inom tre veckor från den dag då den som överklagar fick del av beslutet") in administrative
    assert "laglighetsprövning" not in administrative and "Sista dag" not in administrative

    none = text(final.utdrag(33))
    assert "Protokollet justerades 2020-12-16." in none
    assert "överklag" not in none.lower()


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_committee_without_appeal_prints_none_but_a_paragraph_may_say_its_own(changed):
    # The committee says 'överklagande: nej'; § 35 still says förvaltningsbesvär and § 36 has its own text.
    administrative, own = "förvaltningsbesvär enligt förvaltningslagen", "Egen överklagandetext för paragraf 36."
    expected = {"protokoll.pdf": {administrative, own}, "anslagsbevis.pdf": {administrative, own},
                "protokollsutdrag-35.pdf": {administrative}, "protokollsutdrag-36.pdf": {own}}
    documents = [changed.folder / "protokoll.pdf", changed.folder / "anslagsbevis.pdf",
                 *sorted((changed.folder / "utdrag").glob("*.pdf"))]
    for pdf in documents:
        content = text(pdf)
        assert "laglighetsprövning" not in content, pdf.name
        for phrase in (administrative, own):
            assert (phrase in content) == (phrase in expected.get(pdf.name, set())), (pdf.name, phrase)
        assert ("Hur man överklagar" in content) == (pdf.name in expected), pdf.name


# ------------------------------------------------------------- reservation


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_written_reservation_goes_with_the_utdrag_of_its_paragraph(final):
    extract = text(final.utdrag(36))
    assert "Bilaga: Skriftlig reservation, § 36" in extract
    assert "Jörgen Persson (S) – Återstående medel från 2018" in extract
    assert "Jag reserverar mig mot beslutet att betala tillbaka de återstående medlen." in extract
    assert "Skriftlig reservation" not in text(final.utdrag(37))


# ------------------------------------------------------------------ layout


def _same_page(pdf: Path, first: str, last: str) -> bool:
    return any(first in page and last in page for page in pages(pdf))


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_signature_blocks_never_split(final):
    for extract in sorted((final.folder / "utdrag").glob("*.pdf")):
        assert _same_page(extract, "Rätt utdraget intygar", "Jessica Hådell, sekreterare Protokollet justerades") \
            or _same_page(extract, "Rätt utdraget intygar", "sekreterare Paragrafen justerades omedelbart"), extract
    assert _same_page(final.utdrag(34), "Omedelbar justering", "Justerande ________________________________ "
                                                               "Susanne Hansson (S)")
    for notice in ("anslagsbevis.pdf", "anslagsbevis-omedelbar.pdf"):
        assert _same_page(final.folder / notice, "Intygas", "Jessica Hådell, sekreterare"), notice
    # The blocks hold together in the templates themselves, wherever the text above them ends.
    for template, label in (("utdrag.docx", "Rätt utdraget intygar"), ("anslagsbevis.docx", "Intygas")):
        paragraphs = docx.Document(REPO / "templates" / template).paragraphs
        start = next(i for i, p in enumerate(paragraphs) if p.text == label)
        assert paragraphs[start].paragraph_format.keep_with_next, template
        assert paragraphs[start + 1].paragraph_format.keep_with_next, template  # the line to sign on
    utdrag = docx.Document(REPO / "templates" / "utdrag.docx").paragraphs
    name = next(p for p in utdrag if p.text == "{{ sekreterare }}, sekreterare")
    assert name.paragraph_format.keep_with_next  # the justering line stays with the signature


# --------------------------------------------------------- stale documents


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_before_justering_only_the_immediate_notice_and_extract_are_justerade(final, early):
    assert early.files() == {"protokoll.pdf", "protokoll.docx", "anslagsbevis-omedelbar.pdf",
                             *(f"utdrag/protokollsutdrag-{n}.pdf" for n in range(31, 42)),
                             "utdrag/sandlista.json", "utdrag/sandlista.txt"}
    assert "OJUSTERAT" in text(early.folder / "protokoll.pdf")
    assert "Protokollet är ännu inte justerat." in text(early.utdrag(31))
    assert "Sista dag att överklaga anges när tillkännagivandet har satts upp." in text(early.utdrag(31))
    assert "OJUSTERAT" in text(early.utdrag(31)) and "OJUSTERAT" not in text(early.utdrag(34))
    # What was posted and sent at the meeting does not change when the rest is justerat.
    for name in ("utdrag/protokollsutdrag-34.pdf", "anslagsbevis-omedelbar.pdf"):
        assert (early.folder / name).read_bytes() == (final.folder / name).read_bytes(), name


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_not_adjusted_protokoll_is_marked_on_every_page(early):
    assert all("OJUSTERAT" in page for page in pdf_pages(early.folder / "protokoll.pdf"))
    assert not (early.folder / "anslagsbevis.pdf").exists()
    data = json.loads((early.folder / "utdrag" / "sandlista.json").read_text(encoding="utf-8"))
    assert data["justerat"] is False
    assert "OJUSTERAT" in pdf_pages(early.utdrag(33))[0]
    # § 34 was justerad omedelbart: its extract is valid now.
    assert "OJUSTERAT" not in "".join(pdf_pages(early.utdrag(34)))


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_a_rebuild_leaves_exactly_the_outputs_of_the_current_state(changed):
    # justerat again; no § justerad omedelbart any more; punkt 11 (§ 41) gone.
    assert changed.files() == {"protokoll.pdf", "protokoll.docx", "anslagsbevis.pdf",
                               *(f"utdrag/protokollsutdrag-{n}.pdf" for n in range(31, 41)),
                               "utdrag/sandlista.json", "utdrag/sandlista.txt"}
    assert "omedelbart" not in (changed.folder / "utdrag" / "sandlista.txt").read_text(encoding="utf-8")
    assert "omedelbar" not in text(changed.folder / "protokoll.pdf")


# -------------------------------------------------------------------- send


def send(build: Build, out: Path, env: dict, *flags: str):
    return run_build("send", DEMO, "--what", "utdrag", *flags, sources=build.sources, out=out, env=env,
                     timeout=60)


def replace_outputs(packet: Path, new: Build) -> None:
    """What make protokoll publishes after the justering: the new set, the send log left as it is."""
    for path in packet.iterdir():
        if path.name != "utskick":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in new.folder.iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy2)(path, packet / path.name)


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_utdrag_of_immediate_paragraphs_go_before_justering_and_never_twice(early, final, smtp, tmp_path):
    out = tmp_path / "packets"
    shutil.copytree(early.folder, out / DEMO)
    server = smtp()

    first = send(early, out, server.env(), "--skarpt")
    assert first.returncode == 0, first.stderr
    assert "Bara utdragen för det som justerades omedelbart vid sammanträdet (§ 34) skickas nu" in first.stdout
    assert len(server.received) == PARTER
    for item in server.received:
        message = item.message
        assert message["Subject"] == "Protokollsutdrag GNS 2020-12-11 § 34"
        (attachment,) = list(message.iter_attachments())
        assert filename(attachment) == "Protokollsutdrag GNS 2020-12-11 § 34.pdf"
        assert attachment.get_content() == early.utdrag(34).read_bytes()
        assert "Paragrafen justerades omedelbart vid sammanträdet" in message.get_body(("plain",)).get_content()

    replace_outputs(out / DEMO, final)  # the protokoll is justerat and rebuilt
    preview = send(final, out, server.env())
    assert preview.returncode == 0, preview.stderr
    assert "(redan skickat: § 34)" in preview.stdout

    full = send(final, out, server.env(), "--skarpt")
    assert full.returncode == 0, full.stderr
    later = server.received[PARTER:]
    assert len(later) == PARTER + 3  # the parter get § 36; Sekretariatet § 33, Kommunchefer § 40, Ekonom § 41
    sent = {(item.rcpt_tos[0], filename(a)) for item in later for a in item.message.iter_attachments()}
    assert not any("§ 34" in name for _, name in sent), sent
    assert ("kommunen@are.example.org", "Protokollsutdrag GNS 2020-12-11 § 36.pdf") in sent

    again = send(final, out, server.env(), "--skarpt")
    assert again.returncode == 0 and "Allt är redan skickat" in again.stdout
    assert len(server.received) == 2 * PARTER + 3


@pytest.mark.parametrize("written, route", [
    (None, None), ("nej", APPEAL_NONE), ("Förvaltningsbesvär", APPEAL_ADMINISTRATIVE),
    ("forvaltningsbesvar", APPEAL_ADMINISTRATIVE), ("Laglighetsprövning", APPEAL_LAWFULNESS),
    ("Beslutet får överklagas hos länsstyrelsen.", "Beslutet får överklagas hos länsstyrelsen."),
])
def test_how_överklagande_is_read(written, route):
    assert appeal_route(written) == route


# ---------------------------------------------------------------- posting


def refused(sources: Path, tmp_path: Path) -> str:
    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "packets" / DEMO / "protokoll.pdf").exists()
    return result.stderr


def line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def test_late_posting_of_the_immediate_notice_is_an_error_naming_the_rule(sources, tmp_path):
    edit(sources, RECORD, IMMEDIATE_LINE, "anslag omedelbar justering: 2020-12-15")
    stderr = refused(sources, tmp_path)
    line = line_of(sources / RECORD, "anslag omedelbar justering:")
    assert f"protokoll.yaml, rad {line}, fältet 'anslag omedelbar justering'" in stderr
    assert ("anslaget om den omedelbara justeringen sätts upp 2020-12-15, 4 dagar efter justeringen vid "
            "sammanträdet 2020-12-11; enligt kommunallagen 8 kap. 12 § ska tillkännagivandet anslås senast andra "
            "dagen efter justeringen") in stderr
    assert "här senast 2020-12-14" in stderr


def test_immediate_notice_before_the_meeting_is_an_error(sources, tmp_path):
    edit(sources, RECORD, IMMEDIATE_LINE, "anslag omedelbar justering: 2020-12-10")
    assert "kan inte sättas upp före justeringen vid sammanträdet" in refused(sources, tmp_path)


def test_missing_immediate_posting_is_an_error_once_justerat(sources, tmp_path):
    remove_line(sources, RECORD, IMMEDIATE_LINE)
    stderr = refused(sources, tmp_path)
    assert "fältet 'anslag omedelbar justering'" in stderr
    assert "punkt 4 justerades omedelbart vid sammanträdet" in stderr and "senast 2020-12-14" in stderr


def test_missing_immediate_posting_is_a_reminder_before_justering(sources, tmp_path):
    remove_line(sources, RECORD, IMMEDIATE_LINE)
    edit(sources, RECORD, "justerat: ja\n", "justerat: nej\n")
    edit(sources, RECORD, "  7: bifall\n", "")  # an error of its own, so the run stops before LibreOffice
    stderr = refused(sources, tmp_path)
    warning = next(line for line in stderr.splitlines() if "anslag omedelbar justering" in line)
    assert warning.startswith("Varning:") and "punkt 4 justerades omedelbart" in warning


def test_immediate_posting_without_an_immediate_paragraph_is_an_error(sources, tmp_path):
    edit(sources, RECORD, "    justeras omedelbart: ja\n", "")
    stderr = refused(sources, tmp_path)
    assert "fältet 'anslag omedelbar justering'" in stderr
    assert "ingen punkt har 'justeras omedelbart: ja'" in stderr
