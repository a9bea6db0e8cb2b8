"""The second real meeting, sources/2018-12-07/, built end to end as the secretary does.

It is the 2018 packet of the same committee (shared/reference/gns-2018-12-packet.md):
another roster period of the same committee file, two items without a
tjänsteskrivelse (6 and 7) whose bilagor still go into the packet, a received PDF
bilaga, and a protokoll numbered from § 30. Everything is read back from the built
PDFs; the 2020 demo, built from the same committee file, keeps its 2020 roster.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO, run_build
from test_packet import all_pages, bookmarks, toc_lines

pytestmark = [pytest.mark.libreoffice, pytest.mark.poppler]

MEETING = "2018-12-07"
ROSTER_2018 = ("Bengt Bergqvist", "Thomas Hägg", "Jenny Palmquist", "Göran Bergström", "Pontus Nissblad")
ROSTER_2020 = ("Robert Hamberg", "Susanne Hansson", "Daniel Danielsson", "Anders Häggkvist", "Bosse Svensson")
WITH_REPORT = {3: "GNS/11/2018", 4: "GNS/13/2018", 5: "GNS/12/2018"}
WITHOUT_REPORT = {
    6: ("Uppföljning av införande av nytt IT-stöd för samordnad planering - LINK2 (GNS/8/2018)",
        ["§19 GNS Införande av nytt IT-stöd för samordnad planering - LINK2"]),
    7: ("Informationer 2018 (GNS/14/2018)", ["Beredningsgrupp GNS"]),
}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory) -> Path:
    """One private copy of sources/ for the module: both builds read the same files."""
    target = tmp_path_factory.mktemp("meeting2018") / "sources"
    shutil.copytree(REPO / "sources", target)
    return target


@pytest.fixture(scope="module")
def packet_dir(source_copy, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("packets2018")
    result = run_build("packet", MEETING, sources=source_copy, out=out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out / MEETING


@pytest.fixture(scope="module")
def minutes_dir(source_copy, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("protokoll2018")
    result = run_build("protokoll", MEETING, sources=source_copy, out=out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "§§ 30–36" in result.stderr
    return out / MEETING


@pytest.fixture(scope="module")
def reader(packet_dir) -> PdfReader:
    return PdfReader(packet_dir / "kallelse.pdf")


@pytest.fixture(scope="module")
def texts(packet_dir) -> list[str]:
    return all_pages(packet_dir / "kallelse.pdf")


@pytest.fixture(scope="module")
def marks(reader) -> list[tuple[int, str, int]]:
    return bookmarks(reader)


def kallelse_pages(texts: list[str], marks) -> list[str]:
    innehall = next(page for _, title, page in marks if title == "Innehåll")
    return texts[:innehall]


def item_children(marks, number: int) -> tuple[str, list[tuple[str, int]]]:
    """The item's top-level bookmark title and its children (title, page index)."""
    index = next(i for i, m in enumerate(marks) if m[0] == 0 and m[1].startswith(f"{number}. "))
    children = []
    for depth, title, page in marks[index + 1:]:
        if depth == 0:
            break
        children.append((title, page))
    return marks[index][1], children


def report_pages(texts: list[str], marks, number: int) -> str:
    """The text of item `number`'s tjänsteskrivelse, up to its first bilaga."""
    _, children = item_children(marks, number)
    start = children[0][1]
    end = children[1][1] if len(children) > 1 else start + 1
    return "\n".join(texts[start:end])


# ---------------------------------------------------------------- the kallelse


def test_kallelse_has_the_2018_roster_from_the_committee_file(texts, marks):
    first = flat(kallelse_pages(texts, marks)[0])
    assert re.search(r"Ordförande Bengt Bergqvist \(S\)", first), first[:400]
    assert "Therese Kärngård (S), Vice ordförande" in first
    for name in ROSTER_2018 + ("Elin Lemon (C)", "Mikael Sundman (VV)", "Elisabeth Björklund (AfR)"):
        assert name in first, name
    whole = flat("\n".join(texts))
    for name in ROSTER_2020:
        assert name not in whole, f"{name} (2020) står i kallelsen för 2018"
    assert "Dr Prag" in first and "09:00" in first and "2018-12-07" in first


def test_agenda_is_the_packets_in_its_order_with_presenters_and_times(texts, marks):
    kallelse = "\n".join(kallelse_pages(texts, marks))
    expected = [
        (1, "Val av justerare och tid för justering", None),
        (2, "Fastställande av föredragningslista", None),
        (3, "Gemensamt dataskyddsbud (GNS/11/2018)", ("Li Zakrisson", "10:15")),
        (4, "Budget 2019 (GNS/13/2018)", ("Li Zakrisson", "10:45")),
        (5, "GNS Verksamhetsplan för 2019 (GNS/12/2018)", ("Li Zakrisson", "11:15")),
        (6, "Uppföljning av införande av nytt IT-stöd", ("Elsy Bäckström", "09:15")),
        (7, "Informationer 2018 (GNS/14/2018)", ("Li Zakrisson", "11:45")),
    ]
    positions = []
    for number, title, presenter in expected:
        match = re.search(rf"^\s*{number}\.\s+{re.escape(title)}", kallelse, re.M)
        assert match, f"punkt {number} saknas"
        positions.append(match.start())
        if presenter:
            following = flat(kallelse[match.end():match.end() + 600])
            assert presenter[0] in following and presenter[1] in following, (number, following[:200])
    assert positions == sorted(positions)
    assert not re.search(r"^\s*8\.\s", kallelse, re.M)


def test_items_without_tjansteskrivelse_show_their_text_in_the_kallelse(texts, marks):
    kallelse = flat("\n".join(kallelse_pages(texts, marks)))
    link2 = kallelse[kallelse.index("6. Uppföljning"):kallelse.index("7. Informationer")]
    assert "Ärendebeskrivning" in link2
    assert "Återkomma till nämnden i december med en lägesrapport." in link2
    assert "Förslag till beslut" not in link2
    assert "§19 GNS Införande av nytt IT-stöd för samordnad planering - LINK2" in link2
    info = kallelse[kallelse.index("7. Informationer"):]
    assert "Inrättande av beredningsgrupp" in info and "Beredningsgrupp GNS" in info
    assert "Förslag till beslut" not in info


# ---------------------------------------------------------------- the handlingar


def test_items_6_and_7_have_their_bilagor_but_no_tjansteskrivelse(marks, texts):
    for number, (heading, bilagor) in WITHOUT_REPORT.items():
        title, children = item_children(marks, number)
        assert flat(title) == f"{number}. {heading}"
        assert [t for t, _ in children] == [f"Bilaga {i}: {b}" for i, b in enumerate(bilagor, 1)]
    assert "Projektdirektivet godkänns." in texts[item_children(marks, 6)[1][0][1]]
    bilaga7 = flat(texts[item_children(marks, 7)[1][0][1]])
    assert "Beredningsgruppen föreslås sammanträda minst 4 ggr/år" in bilaga7
    for number in WITH_REPORT:
        assert item_children(marks, number)[1][0][0] == "Tjänsteskrivelse"
    report_marks = [title for _, title, _ in marks if title == "Tjänsteskrivelse"]
    assert len(report_marks) == len(WITH_REPORT)


def test_toc_lists_no_tjansteskrivelse_for_items_6_and_7(texts, reader):
    lines = [title for title, _ in toc_lines(texts, reader)]
    start6 = next(i for i, t in enumerate(lines) if t.startswith("6. Uppföljning"))
    start7 = next(i for i, t in enumerate(lines) if t.startswith("7. Informationer"))
    assert lines[start6 + 1:start7] == ["Bilaga 1: " + WITHOUT_REPORT[6][1][0]]
    assert lines[start7 + 1:] == ["Bilaga 1: Beredningsgrupp GNS"]
    assert lines.count("Tjänsteskrivelse") == len(WITH_REPORT)


def test_tjansteskrivelser_are_signed_by_the_2018_signatories(texts, marks):
    for number, dnr in WITH_REPORT.items():
        report = flat(report_pages(texts, marks, number))
        assert dnr in report
        assert "Hans Svensson" in report and "Regiondirektör" in report
        assert "Mikael Ferm" in report and "Regionstabschef" in report
        assert "Anders Byström" not in report
        assert "Jessica Hådell" in report  # the committee's secretary is the handläggare
    assert "2018-11-28" in flat(report_pages(texts, marks, 3))
    assert "Nämndens parter" in flat(report_pages(texts, marks, 3))
    assert "Basfinansieringen för 2019 fastställs till 914 400 kr" in flat(report_pages(texts, marks, 4))


def test_received_pdf_bilagor_are_in_the_packet(texts, marks, source_copy):
    _, children = item_children(marks, 3)
    pages = {title: page for title, page in children}
    letter = flat(texts[pages["Bilaga 3: Gemensamt dataskyddsbud_brevGNS"]])
    assert "senast fredag 2018-11-16" in letter
    cost_sheet = flat(texts[pages["Bilaga 4: gns-personalkostnad"]])
    assert "Personalkostnad exklusive aktiviteter" in cost_sheet and "1 036 676 kr" in cost_sheet
    source = source_copy / MEETING / "gemensamt-dataskyddsbud" / "gemensamt-dataskyddsbud-brevGNS.pdf"
    assert pages["Bilaga 4: gns-personalkostnad"] - pages["Bilaga 3: Gemensamt dataskyddsbud_brevGNS"] \
        == len(PdfReader(source).pages)


def test_every_page_is_stamped(texts):
    for number, text in enumerate(texts, start=1):
        assert f"Sida {number} av {len(texts)}" in text


# ---------------------------------------------------------------- the protokoll


@pytest.fixture(scope="module")
def protokoll(minutes_dir) -> list[str]:
    return all_pages(minutes_dir / "protokoll.pdf")


@pytest.fixture(scope="module")
def paragraphs(protokoll) -> dict[int, str]:
    """§ number -> the flattened text of that §, in the order they appear."""
    parts = re.split(r"^\s*§ (\d+)\s*$", "\n".join(protokoll), flags=re.M)
    return {int(number): flat(body) for number, body in zip(parts[1::2], parts[2::2])}


def test_protokoll_paragraphs_run_from_30_in_agenda_order(paragraphs):
    assert list(paragraphs) == list(range(30, 37))
    assert paragraphs[30].startswith("Val av justerare")
    assert paragraphs[32].startswith("Gemensamt dataskyddsbud (GNS/11/2018)")
    assert paragraphs[35].startswith("Uppföljning av införande av nytt IT-stöd")
    assert paragraphs[36].startswith("Informationer 2018 (GNS/14/2018)")


def test_protokoll_attendance_is_the_2018_roster(protokoll):
    first = flat(protokoll[0])
    assert "Bengt Bergqvist (S), ordförande" in first
    assert "Pär Jönsson (M) tjänstgörande ersättare för Pontus Nissblad (M)" in first
    assert "Elsy Bäckström" in first
    whole = flat("\n".join(protokoll))
    for name in ROSTER_2020:
        assert name not in whole
    assert "Anslaget sätts upp 2018-12-13" in whole and "Anslaget tas ned 2019-01-04" in whole


def test_protokoll_items_without_proposal_have_their_written_decision(paragraphs):
    for number in (35, 36):
        assert "Förslag till beslut" not in paragraphs[number]
        assert "Beslut Informationen läggs till handlingarna." in paragraphs[number]
    assert "Återkomma till nämnden i december med en lägesrapport." in paragraphs[35]
    assert "Inrättande av beredningsgrupp" in paragraphs[36]
    assert "Förslag till beslut" in paragraphs[34] and "Beslut Verksamhetsplan 2019" in paragraphs[34]


# ---------------------------------------------------------------- 2020 is unchanged


def test_2020_still_builds_with_the_2020_roster(demo_build):
    """demo_build builds 2020-12-11 from the same committee file (sources/namnder/gns.yaml)."""
    texts_2020 = all_pages(demo_build / "kallelse.pdf")
    first = flat(texts_2020[0])
    assert "Robert Hamberg (M)" in first
    whole = flat("\n".join(texts_2020))
    for name in ("Bengt Bergqvist", "Mikael Ferm", "Pontus Nissblad"):
        assert name not in whole
    assert "Anders Byström" in whole and "Regional utvecklingsdirektör" in whole


@pytest.mark.libreoffice
def test_no_2018_output_has_an_accessibility_error_and_every_note_has_an_id(packet_dir, minutes_dir):
    """The 2018 meeting has footnotes (Markdown [^1]): PDF/UA-1 wants an /ID on each Note element."""
    import pikepdf

    from meetingdocs.pdf.structure import structure_elements
    from test_conformance import assert_accessible, outloud

    outputs = [packet_dir / "kallelse.pdf", *sorted(minutes_dir.glob("*.pdf")), *sorted((minutes_dir / "utdrag").glob("*.pdf"))]
    assert_accessible(outloud(outputs))
    with pikepdf.open(packet_dir / "kallelse.pdf") as pdf:
        tree = pdf.Root.StructTreeRoot
        notes = [e for e in structure_elements(tree) if e.S == "/Note"]
        ids = {str(e.ID) for e in notes}
        assert notes and len(ids) == len(notes)
        assert ids <= {str(key) for key in pikepdf.NameTree(tree.IDTree).keys()}
