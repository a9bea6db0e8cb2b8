"""Agenda items as real meetings have them (issue 8), read back from the built packet.

One meeting is built once (module fixture) through the command line; it has
an item without tjänsteskrivelse and without bilagor, one without
tjänsteskrivelse with a bilaga, a numbered point, a tjänsteskrivelse with
its own proposal heading, no signatories and two handläggare, an ordinary
tjänsteskrivelse to compare with, and bare web addresses in the text. The
messages are tested on broken copies of the demo sources; those runs stop
before LibreOffice.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode, SourceError
from meetingdocs.markdown_docx import insert_markdown, remove_paragraph
from meetingdocs.markdown_tree import bare_urls
from meetingdocs.pdf import assemble
from meetingdocs.render.documents import LINK_PREFIX
from meetingdocs.sources import load_meeting

DATE = "2021-02-05"

MEETING = """\
nämnd: gns
datum: 2021-02-05
tid: "09:00-12:00"
plats: Lillsjöhögen
föredragningslista:
  - Fastställande av föredragningslistan
  - rubrik: Val av justerare
    tid: "09:05"
  - ärende: foregaende-protokoll
  - punkt: Fika
    tid: "09:45"
  - ärende: informationer
  - ärende: e-arkiv
  - rubrik: Övriga frågor
    föredragande: Hans Svensson
    tid: "11:30"
  - ärende: vanligt
"""

PREVIOUS_MINUTES = """\
---
tjänsteskrivelse: nej
rubrik: Föregående protokoll
---

Protokollet från sammanträdet 2020-12-11 finns på www.example.org/gns/protokoll-2020-12-11.

## Förslag till beslut

Protokollet läggs till handlingarna.

## Beslutsunderlag

- Protokoll GNS 2020-12-11, https://example.org/gns/protokoll.pdf
"""

INFORMATION = """\
---
tjänsteskrivelse: nej
rubrik: Informationer 2021
dnr: GNS/1/2021
föredragande: Li Zakrisson
tid: "11:00"
förslagsrubrik: Projektets förslag
bilagor:
  - fil: beredningsgrupp.md
    titel: Beredningsgrupp GNS
---

## Ärendebeskrivning

- Inrättande av beredningsgrupp
"""

INFORMATION_BILAGA = """\
---
rubrik: Beredningsgrupp
---

En beredningsgrupp ska finnas med uppgift att bereda ärenden till nämnden.
"""

PROJECT = """\
---
rubrik: Gemensamt e-arkiv
dnr: GNS/2/2021
datum: 2021-01-20
förslagsrubrik: Projektets förslag
undertecknare: []
föredragande: Anna Andersson
handläggare:
  - namn: Anna Andersson
    enhet: Projektkontoret
    telefon: 063-10 00 01
    e-post: anna.andersson@example.org
  - namn: Bertil Berg
    enhet: Arkivet
    e-post: bertil.berg@example.org
expedieras till:
  - Nämndens parter
---

## Bakgrund

Projektet har lämnat en rapport (se https://example.org/e-arkiv/rapport_(2020)).

## Förslag till beslut

Ett gemensamt e-arkiv inrättas.
"""

ORDINARY = """\
---
rubrik: Sammanträdestider 2022
dnr: GNS/3/2021
datum: 2021-01-20
tid: "11:45"
---

## Ärendebeskrivning

Nämnden fastställer sina sammanträdestider.

## Förslag till beslut

Sammanträdestiderna fastställs.
"""

BARE_URLS = {
    "https://www.example.org/gns/protokoll-2020-12-11": "www.example.org/gns/protokoll-2020-12-11",
    "https://example.org/gns/protokoll.pdf": "https://example.org/gns/protokoll.pdf",
    "https://example.org/e-arkiv/rapport_(2020)": "https://example.org/e-arkiv/rapport_(2020)",
}


def write_meeting(sources: Path) -> Path:
    folder = sources / DATE
    (folder / "informationer").mkdir(parents=True)
    files = {
        "mote.yaml": MEETING,
        "foregaende-protokoll.md": PREVIOUS_MINUTES,
        "informationer/arende.md": INFORMATION,
        "informationer/beredningsgrupp.md": INFORMATION_BILAGA,
        "e-arkiv.md": PROJECT,
        "vanligt.md": ORDINARY,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# ------------------------------------------------------------ reading back


def pdftotext(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def children_of(marks: list[tuple[int, str, int]], title_start: str) -> list[str]:
    """Titles of the bookmarks under the top-level bookmark that starts with ``title_start``."""
    at = next(i for i, (depth, title, _) in enumerate(marks) if depth == 0 and title.startswith(title_start))
    result = []
    for depth, title, _ in marks[at + 1:]:
        if depth == 0:
            break
        result.append(title)
    return result


def page_of(marks: list[tuple[int, str, int]], title_start: str, after: str = "") -> int:
    """Page index of the first bookmark starting with ``title_start`` (after the one starting with ``after``)."""
    start = next((i for i, (_, t, _) in enumerate(marks) if after and t.startswith(after)), -1) + 1
    return next(page for _, title, page in marks[start:] if title.startswith(title_start))


def between(text: str, start: str, end: str) -> str:
    """The part of ``text`` from ``start`` up to ``end`` (or the end)."""
    at = text.index(start)
    stop = text.find(end, at + len(start))
    return text[at:stop if stop >= 0 else None]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("items")
    sources = root / "sources"
    shutil.copytree(REPO / "sources" / "namnder", sources / "namnder")
    write_meeting(sources)
    out = root / "packets"
    result = run_build("packet", DATE, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pdf = out / DATE / "kallelse.pdf"
    reader = PdfReader(pdf)
    marks = assemble.outline_of(pdf)
    pages = pdftotext(pdf)
    toc_at = page_of(marks, "Innehåll")
    return {"pdf": pdf, "reader": reader, "marks": marks, "pages": pages, "stderr": result.stderr,
            "kallelse": " ".join(pages[:toc_at]), "toc": pages[toc_at]}


# --------------------------------------------- items without tjänsteskrivelse


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_item_without_report_or_bilagor_is_only_its_text_in_the_kallelse(built):
    item = between(built["kallelse"], "3. Föregående protokoll", "4. Fika")
    assert "3. Föregående protokoll (" not in item, "ingen dnr: inga tomma parenteser"
    for text in ("Ärendebeskrivning", "Protokollet från sammanträdet 2020-12-11", "Förslag till beslut",
                 "Protokollet läggs till handlingarna.", "Beslutsunderlag", "Protokoll GNS 2020-12-11"):
        assert text in item, f"{text!r} saknas i punkt 3 i kallelsen:\n{item}"
    assert "Tjänsteskrivelse" not in item, "den handskrivna Beslutsunderlag ersätter den genererade listan"
    assert "Föregående protokoll" not in built["toc"]
    assert not [t for _, t, _ in built["marks"] if t.startswith("3.")], "inga handlingar: inget bokmärke"
    assert "togs bort" not in built["stderr"], "ingen länk från kallelsen till handlingar som inte finns"


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_item_without_report_with_bilaga_has_separator_and_bilaga_only(built):
    marks = built["marks"]
    assert children_of(marks, "5. Informationer 2021 (GNS/1/2021)") == ["Bilaga 1: Beredningsgrupp GNS"]
    separator = built["pages"][page_of(marks, "5. Informationer")]
    assert "Handlingar" in separator and "Bilaga 1: Beredningsgrupp GNS" in separator
    assert "Tjänsteskrivelse" not in separator
    bilaga = built["pages"][page_of(marks, "Bilaga 1", after="5. Informationer")]
    assert "En beredningsgrupp ska finnas" in bilaga
    assert page_of(marks, "6. ") - page_of(marks, "5. ") == 2, "avdelarblad och en bilagesida, ingen TS"
    assert len(built["pages"]) == len(built["reader"].pages) == page_of(marks, "Tjänsteskrivelse", "8. ") + 1
    assert "Tjänsteskrivelse" not in between(built["toc"], "5. Informationer", "6. ")
    item = between(built["kallelse"], "5. Informationer 2021 (GNS/1/2021)", "6. Gemensamt e-arkiv")
    assert "Föredragande: Li Zakrisson, kl. 11:00" in item
    assert "Förslag till beslut" not in item, "inget förslag: ingen rubrik"
    assert "Beslutsunderlag • Beredningsgrupp GNS" in item
    # the other documents are still there, in order
    top = [t for depth, t, _ in marks if depth == 0]
    assert top == ["Kallelse", "Innehåll", "5. Informationer 2021 (GNS/1/2021)",
                   "6. Gemensamt e-arkiv (GNS/2/2021)", "8. Sammanträdestider 2022 (GNS/3/2021)"]


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_fields_meaningless_without_report_are_warned_about(built):
    warnings = [line for line in built["stderr"].splitlines() if line.startswith("Varning:")]
    assert any("informationer/arende.md" in w and "förslagsrubrik" in w and "används inte" in w
               for w in warnings), built["stderr"]


# ------------------------------------------------- tjänsteskrivelse fields


def report_text(built, item: str) -> str:
    marks = built["marks"]
    start = page_of(marks, "Tjänsteskrivelse", after=item)
    following = [page for _, _, page in marks if page > start]
    end = min(following) if following else len(built["pages"])
    return " ".join(built["pages"][start:end])


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_report_with_own_proposal_heading_two_officers_and_no_signatories(built):
    text = report_text(built, "6. Gemensamt e-arkiv")
    assert "Projektets förslag Ett gemensamt e-arkiv inrättas." in text and "Regiondirektörens förslag" not in text
    assert "Bakgrund" in text
    for line in ("Projektkontoret Anna Andersson Tfn: 063-10 00 01 E-post: anna.andersson@example.org",
                 "Arkivet Bertil Berg E-post: bertil.berg@example.org"):
        assert line in text, f"{line!r} saknas i tjänsteskrivelsens huvud:\n{text}"
    assert "I tjänsten" not in text
    assert "Utdrag till Nämndens parter" in text
    item = between(built["kallelse"], "6. Gemensamt e-arkiv", "7. Övriga frågor")
    assert "Förslag till beslut Ett gemensamt e-arkiv inrättas." in item and "Projektets förslag" not in item


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_report_without_the_fields_keeps_the_committees(built):
    text = report_text(built, "8. Sammanträdestider 2022")
    assert "Regiondirektörens förslag" in text
    assert "I tjänsten" in text and "Hans Svensson" in text
    assert "Jessica Hådell" in text, "handläggare: nämndens sekreterare"


# ------------------------------------------------------- points and times


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_point_is_numbered_and_a_time_alone_has_no_foredragande(built):
    kallelse = built["kallelse"]
    assert "Föredragande: kl." not in kallelse
    assert "2. Val av justerare kl. 09:05 3." in kallelse
    assert "4. Fika kl. 09:45 5. Informationer" in kallelse
    assert "7. Övriga frågor Föredragande: Hans Svensson, kl. 11:30 8." in kallelse
    assert "8. Sammanträdestider 2022 (GNS/3/2021) kl. 11:45 Ärendebeskrivning" in kallelse
    agenda = between(kallelse, "Föredragningslista", "Nämnden fastställer")
    assert [int(n) for n in re.findall(r"(?:^| )(\d)\. [A-ZÅÄÖ]", agenda)] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert "Fika" not in built["toc"]


# ------------------------------------------------------------ bare URLs


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_bare_urls_are_links_without_trailing_punctuation(built):
    found: dict[str, list[int]] = {}
    for index, page in enumerate(built["reader"].pages):
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                found.setdefault(str(action.get_object()["/URI"]), []).append(index)
    for uri, written in BARE_URLS.items():
        assert uri in found, f"ingen länk till {uri}; länkar: {sorted(found)}"
        assert all(written in re.sub(r"\s", "", built["pages"][i]) for i in found[uri]), "på sidan med adressen"
    assert not [u for u in found if u.endswith((".", ","))]
    assert len(found["https://example.org/e-arkiv/rapport_(2020)"]) == 2, "i kallelsen och i tjänsteskrivelsen"


def docx_links(markdown: str) -> list[tuple[str, str]]:
    """(link text, target) of every external link in the docx made from ``markdown``."""
    document = docx.Document()
    anchor = document.add_paragraph("x")
    insert_markdown(anchor, markdown)
    remove_paragraph(anchor)
    rels = {r.rId: r.target_ref for r in document.part.rels.values() if r.reltype == RT.HYPERLINK}
    return [("".join(t.text for t in link.iter(qn("w:t"))), rels[link.get(qn("r:id"))])
            for link in document.element.body.iter(qn("w:hyperlink"))]


@pytest.mark.parametrize(("markdown", "links"), [
    ("Se https://example.org/a?b=1&c=2.", [("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2")]),
    ("(se www.regionjh.se/protokoll), och", [("www.regionjh.se/protokoll", "https://www.regionjh.se/protokoll")]),
    ("Läs https://sv.wikipedia.org/wiki/Nämnd_(kommun)!",
     [("https://sv.wikipedia.org/wiki/Nämnd_(kommun)", "https://sv.wikipedia.org/wiki/Nämnd_(kommun)")]),
    ("`https://example.org/kod` och [texten](https://example.org/länk)", [("texten", "https://example.org/länk")]),
    ("<https://example.org/x>, mejla jessica@www.example.org. Och www. inget",
     [("https://example.org/x", "https://example.org/x"), ("jessica@www.example.org", "mailto:jessica@www.example.org")]),
    ("a@b, x@y.se/sida, @kommun.se och namn@@kommun.se", []),
    ("**fet https://example.org/f** och | en text", [("https://example.org/f", "https://example.org/f")]),
], ids=["punkt", "parentes-runt", "parentes-i", "kod-och-lank", "e-post", "ingen-e-post", "fet"])
def test_bare_url_becomes_a_link_in_the_docx(markdown, links):
    assert docx_links(markdown) == links


@pytest.mark.fuzz
@given(st.lists(st.sampled_from(list("aå .,;:!?()[]/-_w\n”") + ["https://", "www.", "HTTP://"]), max_size=30)
       .map("".join))
def test_bare_urls_keep_every_character_and_end_a_link_before_punctuation(text):
    pieces = bare_urls(text)
    assert "".join(piece for piece, _ in pieces) == text
    for piece, target in pieces:
        if target is not None:
            assert piece[-1] not in ".,;:!?”" and target.lower().startswith(("https://", "http://"))
            assert re.match(r"(?i)(https?://|www\.)\w", piece), "en adress har något efter https:// eller www."
            assert piece.count(")") <= piece.count("(") or not piece.endswith(")")


# -------------------------------------------------------------- messages


def demo_edit(sources: Path, relative: str, old: str, new: str) -> Path:
    path = sources / DEMO / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def refused(sources: Path, tmp_path: Path):
    result = run_build("packet", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == ExitCode.input_invalid, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "packets" / DEMO).exists()
    return result.stderr


def test_item_that_fails_to_load_is_not_also_reported_as_missing_from_the_agenda(sources, tmp_path):
    demo_edit(sources, "budget-2021.md", "rubrik: Budget 2021", "rubrik: [Budget 2021")
    stderr = refused(sources, tmp_path)
    assert re.search(r"budget-2021\.md, rad \d+: YAML-syntaxen", stderr), stderr
    assert "YAML" in stderr
    assert "finns i mappen men inte i föredragningslistan" not in stderr


def test_agenda_line_with_a_colon_says_yaml_read_a_field_and_shows_the_fix(sources, tmp_path):
    path = demo_edit(sources, "mote.yaml", "  - Val av justerare och tid för justering",
                     "  - Val av justerare: tid för justering")
    stderr = refused(sources, tmp_path)
    assert f"mote.yaml, rad {line_of(path, 'Val av justerare:')}" in stderr
    assert "YAML läser punkten som ett fält" in stderr and "'Val av justerare'" in stderr
    assert '- "Val av justerare: tid för justering"' in stderr
    assert "okänt fält" not in stderr and "precis ett av" not in stderr
    # the fix the message shows is accepted
    demo_edit(sources, "mote.yaml", "  - Val av justerare: tid för justering",
              '  - "Val av justerare: tid för justering"')
    meeting, _ = load_meeting(sources / DEMO)
    assert meeting.agenda[1].title == "Val av justerare: tid för justering"


def test_a_typo_in_a_field_name_is_not_taken_for_a_colon_in_the_text(sources, tmp_path):
    demo_edit(sources, "mote.yaml", "  - ärende: budget-2021", "  - ärnde: budget-2021")
    stderr = refused(sources, tmp_path)
    assert "Menade du 'ärende'?" in stderr and "YAML läser punkten" not in stderr


@pytest.mark.parametrize(("old", "new", "fragments"), [
    ("dnr: GNS/8/2020\n", "", ("fältet 'dnr'", "tjänsteskrivelse: nej")),
    ("## Ärendebeskrivning", "Text utan rubrik.\n\n## Förslag till beslut\n\nX.\n\n## Gammalt",
     ("det står text före den första rubriken", "det finns inget avsnitt före '## Förslag till beslut'")),
    ("## Förslag till beslut", "## Förslag", ("rubriken '## Förslag till beslut' saknas", "tjänsteskrivelse: nej")),
    ("tid: \"09:25\"", "tid: \"09:25\"\ntjänsteskrivelse: kanske", ("fältet 'tjänsteskrivelse'", "ja eller nej")),
], ids=["dnr", "inget-avsnitt-fore-forslaget", "forslag-saknas", "ja-eller-nej"])
def test_tjansteskrivelse_problems_say_what_to_write(sources, tmp_path, old, new, fragments):
    demo_edit(sources, "budget-2021.md", old, new)
    stderr = refused(sources, tmp_path)
    assert "budget-2021.md" in stderr
    for fragment in fragments:
        assert fragment in stderr, f"{fragment!r} saknas i:\n{stderr}"


def test_arende_md_is_an_item_without_report_and_may_not_sit_beside_one(sources):
    folder = sources / DEMO / "revisionsrapport"
    report = folder / "tjansteskrivelse.md"
    text = report.read_text(encoding="utf-8").replace("dnr: GNS/6/2020\n", "").replace(
        "datum: 2020-12-03\n", "handläggare:\n  namn: Jessica Hådell\n")
    (folder / "arende.md").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as refused_both:
        load_meeting(sources / DEMO)
    assert "har både tjansteskrivelse.md och arende.md" in str(refused_both.value)
    report.unlink()
    meeting, warnings = load_meeting(sources / DEMO)
    item = next(i for i in meeting.agenda if i.case is not None and i.case.key == "revisionsrapport")
    assert not item.case.has_report and item.case.dnr == "" and item.case.date is None
    assert item.heading == item.title
    assert [w for w in warnings if w.field == "handläggare"], "handläggare utan tjänsteskrivelse: varning"


def test_marker_link_without_target_is_removed_with_a_swedish_message_naming_the_page(tmp_path, caplog):
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(595, 842)
    link = Link(rect=(50, 50, 200, 80), url=f"{LINK_PREFIX}9")
    writer.add_annotation(1, link)
    source = tmp_path / "in.pdf"
    with source.open("wb") as handle:
        writer.write(handle)
    metadata = assemble.Metadata("t", "a", "s")
    with caplog.at_level(logging.WARNING):
        out = assemble.finish(source, tmp_path / "out.pdf", outline=[], marker_targets={},
                              marker_prefix=LINK_PREFIX, metadata=metadata)
    assert [r.getMessage() for r in caplog.records] == [
        "Länken på sidan 2 (till ärende 9) har ingen sida att gå till i kallelsen och togs bort."]
    assert not PdfReader(out).pages[1].get("/Annots")
