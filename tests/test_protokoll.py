"""The protokoll: build the demo's minutes and read them back; every check fails on bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DEMO, REPO, run_build, shared_build
from meetingdocs.errors import ExitCode
from meetingdocs.minutes import numbering

RECORD = Path(DEMO) / "protokoll.yaml"


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> Path:
    """The demo's protokoll as shipped, built once per test run (shared, read only)."""
    built = shared_build(tmp_path_factory, "protokoll")
    assert built.returncode == 0, built.stderr
    assert "Paragraferna blir §§ 31–41" in built.stderr
    return built.folder


@pytest.fixture(scope="module")
def protokoll(minutes) -> list[str]:
    return pdf_pages(minutes / "protokoll.pdf")




@pytest.mark.libreoffice
@pytest.mark.poppler
class TestDemoProtokoll:
    def test_paragraphs_are_numbered_in_agenda_order_through_the_range(self, protokoll):
        text = "\n".join(protokoll)
        assert "§§ 31–41" in protokoll[0]
        positions = [re.search(rf"^\s*§ {n}\s*$", text, re.M) for n in range(31, 42)]
        assert all(positions), [n for n, p in zip(range(31, 42), positions) if not p]
        assert [p.start() for p in positions] == sorted(p.start() for p in positions)
        assert not re.search(r"^\s*§ (30|42)\s*$", text, re.M)

    def test_attendance_lists(self, protokoll):
        first = flat(protokoll[0])
        assert "Robert Hamberg (M), ordförande" in first
        assert "Susanne Hansson (S), vice ordförande" in first
        assert "Bo Karlsson (C) tjänstgörande ersättare för Daniel Danielsson (C)" in first
        assert "Mikael Westin (C) (§§ 31–39)" in first
        assert "Mats Gärd (C) tjänstgörande ersättare för Mikael Westin (C) (§§ 40–41)" in first
        assert re.search(r"Frånvarande\s+Björn Hammarberg \(M\)\s+Daniel Danielsson \(C\)", first)
        assert re.search(r"Ersättare\s+Ann-Marie Johansson \(S\)\s+Maria Jakobsson \(S\)\s+Peter Bergman \(S\)",
                         first)
        assert "Jessica Hådell, Nämndsekreterare" in first
        assert re.search(r"Utses att justera\s+Susanne Hansson \(S\)", first)
        assert "Digital justering, 2020-12-16" in first
        assert "OJUSTERAT" not in "\n".join(protokoll)

    def test_signatures_and_posting(self, protokoll):
        head = flat(" ".join(protokoll[:2]))
        for role in ("Sekreterare", "Ordförande", "Justerande"):
            assert role in head
        assert re.search(r"Anslaget sätts upp 2020-12-17", head)
        assert re.search(r"Anslaget tas ned 2021-01-08", head)
        for page_number, page in enumerate(protokoll, start=1):
            assert f"Sida {page_number} av {len(protokoll)}" in page
            assert "Justerandes signatur" in page

    def test_vote_table_totals_and_result(self, protokoll):
        text = flat("\n".join(protokoll))
        paragraph = text[text.index("§ 36"):text.index("§ 37")]
        assert "Jörgen Persson (S) yrkar, med ändring av förslaget till beslut, att återstående medel" in paragraph
        assert "Bosse Svensson (C) anmäler jäv" in paragraph
        assert "Ja-röst för förslaget till beslut, nej-röst för Jörgen Perssons ändringsyrkande" in paragraph
        assert re.search(r"Summa 4 2 1", paragraph)
        assert "Med 4 ja-röster mot 2 nej-röster, och 1 som avstår, beslutar nämnden enligt förslaget" in paragraph
        assert "Jörgen Persson (S) reserverar sig mot beslutet till förmån för eget yrkande" in paragraph
        assert "Bosse Svensson (C) X" not in paragraph, "den jävige ska inte finnas i röstlängden"
        assert "Skriftlig reservation, § 36" in text

    def test_decisions(self, protokoll):
        text = flat("\n".join(protokoll))
        assert "Föredragningslistan fastställs." in text
        assert "Susanne Hansson (S) utses att jämte ordföranden justera dagens protokoll. Justering sker " \
               "2020-12-16, Digital justering." in text
        # The §§ themselves, not the first page, where § 34 is named for its omedelbar justering.
        beslut_33 = text[text.index("§ 33 Sammanträdestider"):text.index("§ 34 Budget")]
        assert re.search(r"Beslut Följande sammanträdesdagar fastställs .* Måndag 8 februari", beslut_33)
        assert "Paragrafen justeras omedelbart." in text[text.index("§ 34 Budget"):text.index("§ 35 ")]
        assert "Protokollsanteckning Susanne Hansson (S): Socialdemokraterna" in text

    def test_one_utdrag_per_paragraph_verbatim(self, minutes):
        files = sorted((minutes / "utdrag").glob("*.pdf"))
        assert [f.name for f in files] == sorted(f"protokollsutdrag-{n}.pdf" for n in range(31, 42))
        extract = flat("\n".join(pdf_pages(minutes / "utdrag" / "protokollsutdrag-36.pdf")))
        assert "PROTOKOLLSUTDRAG" in extract and "§ 36" in extract and "§ 35" not in extract
        assert "Återstående medel från 2018 (GNS/2/2020)" in extract
        assert "Summa 4 2 1" in extract
        assert "Rätt utdraget intygar" in extract and "Jessica Hådell, sekreterare" in extract
        assert "Protokollet justerades 2020-12-16." in extract
        reader = PdfReader(minutes / "utdrag" / "protokollsutdrag-36.pdf")
        assert reader.metadata.title.endswith("2020-12-11 § 36")
        assert reader.trailer["/Root"]["/Lang"] == "sv-SE"

    def test_dispatch_list_per_recipient(self, minutes):
        data = json.loads((minutes / "utdrag" / "sandlista.json").read_text(encoding="utf-8"))
        assert data["justerat"] is True and data["paragrafer"] == [31, 41]
        by_name = {e["mottagare"]: e for e in data["mottagare"]}
        assert by_name["Nämndens parter"]["paragrafer"] == [34, 36]
        assert by_name["Nämndens parter"]["filer"] == ["protokollsutdrag-34.pdf", "protokollsutdrag-36.pdf"]
        assert by_name["Sekretariatet"]["paragrafer"] == [33]
        assert by_name["Ekonom"]["paragrafer"] == [41]
        for entry in data["mottagare"]:
            for name in entry["filer"]:
                assert (minutes / "utdrag" / name).is_file()
        assert "Nämndens parter: § 34, § 36" in (minutes / "utdrag" / "sandlista.txt").read_text(encoding="utf-8")

    def test_anslagsbevis_dates(self, minutes):
        text = flat("\n".join(pdf_pages(minutes / "anslagsbevis.pdf")))
        assert "Bevis om anslag" in text
        assert "Organ Gemensam nämnd för samverkan" in text
        assert "Sammanträdesdatum 2020-12-11" in text
        assert "Paragrafer §§ 31–33, 35–41" in text  # § 34 was justerad omedelbart: its own anslagsbevis
        assert "Datum för justering 2020-12-16" in text
        assert "Anslaget sätts upp 2020-12-17" in text
        assert "Anslaget tas ned 2021-01-08" in text
        assert "Sista dag att överklaga är 2021-01-07" in text
        assert "Region Jämtland Härjedalen, Regionens kansli, Östersund" in text
        assert "Jessica Hådell, sekreterare" in text

    def test_docx_opens(self, minutes):
        import docx

        document = docx.Document(minutes / "protokoll.docx")
        assert any(p.text == "§ 36" for p in document.paragraphs)


# --------------------------------------------------------------- checks


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(sources: Path, tmp_path: Path, *fragments: str, code=ExitCode.input_invalid):
    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(code), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} saknas i:\n{result.stderr}"
    assert not (tmp_path / "packets" / DEMO / "protokoll.pdf").exists()
    return result


def test_missing_record_file(sources, tmp_path):
    (sources / RECORD).unlink()
    refused(sources, tmp_path, "protokoll.yaml", "filen saknas")


def test_missing_decision(sources, tmp_path):
    edit(sources / RECORD, "  7: bifall\n", "")
    refused(sources, tmp_path, "protokoll.yaml", "beslut saknas för punkt 7 (Svenskt ramverk")


def test_vote_by_someone_not_serving(sources, tmp_path):
    edit(sources / RECORD, "ja: [Robert Hamberg,", "ja: [Björn Hammarberg, Robert Hamberg,")
    refused(sources, tmp_path, "beslut.6", "Björn Hammarberg tjänstgör inte vid punkt 6 och får inte rösta")


def test_vote_counted_twice(sources, tmp_path):
    edit(sources / RECORD, "avstår: [Susanne Hansson]", "avstår: [Susanne Hansson, Robert Hamberg]")
    refused(sources, tmp_path, "Robert Hamberg är räknad två gånger i omröstningen")


def test_vote_missing_a_serving_member(sources, tmp_path):
    edit(sources / RECORD, "avstår: [Susanne Hansson]", "avstår: []")
    refused(sources, tmp_path, "i omröstningen saknas Susanne Hansson")


def test_disqualified_member_voting(sources, tmp_path):
    edit(sources / RECORD, "avstår: [Susanne Hansson]", "avstår: [Susanne Hansson, Bosse Svensson]")
    refused(sources, tmp_path, "Bosse Svensson har anmält jäv men finns med i omröstningen")


def test_reservation_by_someone_not_serving(sources, tmp_path):
    edit(sources / RECORD, "      - namn: Therese Kärngård\n        text: till förmån",
         "      - namn: Björn Hammarberg\n        text: till förmån")
    refused(sources, tmp_path, "Björn Hammarberg tjänstgör inte vid punkt 6 och kan därför inte reservera sig")


def test_reservation_by_someone_who_voted_for_the_decision(sources, tmp_path):
    edit(sources / RECORD, "      - namn: Therese Kärngård\n        text: till förmån",
         "      - namn: Robert Hamberg\n        text: till förmån")
    refused(sources, tmp_path, "Robert Hamberg röstade för beslutet och kan inte reservera sig")


def test_substitute_for_someone_present(sources, tmp_path):
    edit(sources / RECORD, "  - namn: Bo Karlsson\n    ersätter: Daniel Danielsson",
         "  - namn: Bo Karlsson\n    ersätter: Therese Kärngård")
    refused(sources, tmp_path, "Bo Karlsson tjänstgör för Therese Kärngård vid punkt 1, men Therese Kärngård är "
                               "själv närvarande")


def test_one_substitute_for_two_members(sources, tmp_path):
    edit(sources / RECORD, "  - namn: Mats Gärd\n    ersätter: Mikael Westin",
         "  - namn: Bo Karlsson\n    ersätter: Mikael Westin")
    refused(sources, tmp_path, "Bo Karlsson tjänstgör för både Daniel Danielsson och Mikael Westin vid punkt 10")


def test_quorum_not_reached(sources, tmp_path):
    edit(sources / RECORD, "frånvarande:\n", "frånvarande:\n  - Therese Kärngård\n  - Jörgen Persson\n"
                                             "  - Anders Häggkvist\n  - Bosse Svensson\n")
    refused(sources, tmp_path, "nämnden är inte beslutför vid punkt 1: 4 tjänstgör", "måste delta enligt kommunallagen")


def test_late_justering_is_a_warning(sources, tmp_path):
    edit(sources / RECORD, "  datum: 2020-12-16", "  datum: 2021-01-05")
    edit(sources / RECORD, "  datum: 2020-12-17", "  datum: 2021-01-06")
    edit(sources / RECORD, "  7: bifall\n", "")  # an error too, so the run stops before LibreOffice
    result = refused(sources, tmp_path, "Varning:", "protokoll.yaml, rad 30, fältet 'justering.datum'",
                     "justeringen sker 25 dagar efter sammanträdet",
                     "enligt kommunallagen 5 kap. 69 § ska protokollet justeras senast 14 dagar efter")
    assert "beslut saknas för punkt 7" in result.stderr


def test_unknown_person(sources, tmp_path):
    edit(sources / RECORD, "  - Susanne Hansson\njustering:", "  - Susane Hansson\njustering:")
    refused(sources, tmp_path, "'Susane Hansson' finns inte bland ledamöterna", "Menade du 'Susanne Hansson'?")


# ------------------------------------------------------------ numbering


def add_earlier_meeting(sources: Path, name: str, items: int, start: int | None = None) -> None:
    folder = sources / name
    folder.mkdir()
    agenda = "\n".join(f"  - Punkt {n}" for n in range(1, items + 1))
    (folder / "mote.yaml").write_text(
        f"nämnd: gns\ndatum: {name}\ntid: \"09:00-12:00\"\nplats: Östersund\nföredragningslista:\n{agenda}\n"
        f"  - paus: \"10:00-10:15\"\n", encoding="utf-8")
    if start is not None:
        (folder / "protokoll.yaml").write_text(f"paragrafer från: {start}\n", encoding="utf-8")


def test_numbering_continues_through_the_year(sources):
    edit(sources / RECORD, "paragrafer från: 31", "")
    add_earlier_meeting(sources, "2020-02-14", 6)
    add_earlier_meeting(sources, "2020-05-29", 8)
    add_earlier_meeting(sources, "2021-02-08", 5)  # next year starts over
    spans = numbering.year_spans(sources, "gns", 2020)
    assert [(s.meeting_id, s.first, s.last) for s in spans] == [
        ("2020-02-14", 1, 6), ("2020-05-29", 7, 14), ("2020-12-11", 15, 25)]
    assert numbering.year_spans(sources, "gns", 2021)[0].first == 1


def test_numbering_gap_is_an_error(sources, tmp_path):
    add_earlier_meeting(sources, "2020-05-29", 8, start=14)  # §§ 14–21; the demo says 31
    refused(sources, tmp_path, "paragraferna börjar på § 31 men sammanträdet 2020-05-29 slutade på § 21",
            "hoppar över")


def test_numbering_overlap_is_an_error(sources, tmp_path):
    add_earlier_meeting(sources, "2020-05-29", 8, start=25)  # §§ 25–32 overlaps 31
    refused(sources, tmp_path, "slutade på § 32", "överlappar")


# ------------------------------------------------ protokoll to distribution

from test_send_support import filename, smtp  # noqa: E402,F401 - smtp: a real SMTP server on loopback


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_real_extracts_are_sent_to_everyone_under_expedieras_till(minutes, smtp, tmp_path):  # noqa: F811
    """`make protokoll` then `make send WHAT=utdrag SKARPT=1`, with the demo's own address book."""
    out = tmp_path / "packets"
    shutil.copytree(minutes, out / DEMO)  # the send log goes into the folder: not into the shared build
    server = smtp()
    result = run_build("send", DEMO, "--what", "utdrag", "--skarpt", out=out, env=server.env())
    assert result.returncode == 0, result.stderr
    received = {tuple(r.rcpt_tos): r.message for r in server.received}
    assert len(received) == len(server.received) == 12  # 9 parter, sekretariatet, kommunchefer, ekonom
    parter = received[("kommunen@ostersund.example.org",)]
    attachments = {filename(a): a.get_content() for a in parter.iter_attachments()}
    assert sorted(attachments) == ["Protokollsutdrag GNS 2020-12-11 § 34.pdf",
                                   "Protokollsutdrag GNS 2020-12-11 § 36.pdf"]
    assert attachments["Protokollsutdrag GNS 2020-12-11 § 36.pdf"] == (
        minutes / "utdrag" / "protokollsutdrag-36.pdf").read_bytes()
    ekonom = received[("ekonom@region.example.org",)]
    assert [filename(a) for a in ekonom.iter_attachments()] == ["Protokollsutdrag GNS 2020-12-11 § 41.pdf"]


def test_written_reservation_that_cannot_be_read_stops_the_build(sources, tmp_path):
    written = sources / DEMO / "reservationer" / "jorgen-persson-punkt-6.md"
    written.write_bytes(written.read_text(encoding="utf-8").encode("latin-1"))
    stderr = refused(sources, tmp_path, "inte sparad som UTF-8").stderr
    assert "jorgen-persson-punkt-6.md" in stderr


def test_written_reservation_with_a_missing_image_stops_the_build(sources, tmp_path):
    written = sources / DEMO / "reservationer" / "jorgen-persson-punkt-6.md"
    written.write_text(written.read_text(encoding="utf-8") + "\n![Karta över länet](karta.png)\n",
                       encoding="utf-8")
    stderr = refused(sources, tmp_path, "karta.png").stderr
    assert "jorgen-persson-punkt-6.md, rad" in stderr


def test_written_reservation_name_that_cannot_be_a_file_name(sources, tmp_path):
    edit(sources / RECORD, "skriftlig: reservationer/jorgen-persson-punkt-6.md",
         'skriftlig: "reservationer/jorgen\\0persson.md"')
    refused(sources, tmp_path, "inte kan finnas i ett filnamn")
