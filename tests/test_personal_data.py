"""The personal-data guard (issue 10): personnummer, samordningsnummer and sensitive words in every
publishable source, reported with file and line or page, the number always masked.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO, run_build
from meetingdocs import privacy
from meetingdocs.minutes.record import load_record
from meetingdocs.privacy import words
from meetingdocs.privacy.findings import SENSITIVE_WORD, UNCHECKED
from meetingdocs.privacy.personnummer import (
    PERSONNUMMER,
    SAMORDNINGSNUMMER,
    check_digit,
    find_personal_numbers,
    luhn_valid,
    mask_numbers,
)
from meetingdocs.sources import list_meetings, load_meeting
from test_send_support import free_port, smtp_env

TODAY = dt.date(2025, 6, 1)  # the guard's "today" in these tests: centuries and future dates depend on it


def found(text: str, today: dt.date = TODAY) -> list[tuple[str, str, dt.date]]:
    return [(m.kind, m.masked, m.born) for m in find_personal_numbers(text, today)]


def with_check_digit(nine: str) -> str:
    """YYMMDDNNN -> the ten digits with a correct Luhn check digit."""
    return nine + check_digit(nine)


# ------------------------------------------------------------ the numbers


@pytest.mark.parametrize("written, masked, born", [
    ("19121212-1212", "19121212-****", dt.date(1912, 12, 12)),
    ("191212121212", "19121212****", dt.date(1912, 12, 12)),
    ("19121212 1212", "19121212 ****", dt.date(1912, 12, 12)),
    ("19121212\u00a01212", "19121212\u00a0****", dt.date(1912, 12, 12)),  # Word's no-break space
    ("19121212\u20131212", "19121212\u2013****", dt.date(1912, 12, 12)),  # Word's en dash
    ("121212+1212", "121212+****", dt.date(1912, 12, 12)),  # 100 years or older
    ("121212-1212", "121212-****", dt.date(2012, 12, 12)),
    ("1212121212", "121212****", dt.date(2012, 12, 12)),
    ("121212 1212", "121212 ****", dt.date(2012, 12, 12)),
    ("811218-9876", "811218-****", dt.date(1981, 12, 18)),
    ("19811218-\n9876", "19811218-****", dt.date(1981, 12, 18)),  # a PDF line broken after the dash
])
def test_every_written_form_is_found_and_masked(written, masked, born):
    assert found(f"Sökande: {written}, se bilaga.") == [(PERSONNUMMER, masked, born)]


@pytest.mark.parametrize("written, born", [
    ("701063-2391", dt.date(1970, 10, 3)),
    ("19701063-2391", dt.date(1970, 10, 3)),
    ("7010632391", dt.date(1970, 10, 3)),
    (with_check_digit("991291123"), dt.date(1999, 12, 31)),  # day 91 = the 31st
])
def test_samordningsnummer_is_the_day_plus_60(written, born):
    assert found(f"Samordningsnummer {written}.") == [(SAMORDNINGSNUMMER, written[:-4] + "****", born)]


@pytest.mark.parametrize("nine", ["191312121", "121232121", "230229123", "991200123", "991292123", "991260123"])
def test_impossible_dates_are_no_numbers_even_with_a_right_check_digit(nine):
    """Month 13, day 32, 29 February 2023, day 0, and day 92 and 60 (no samordningsnummer day)."""
    number = with_check_digit(nine)
    assert luhn_valid(number)
    assert found(f"{number[:6]}-{number[6:]}") == []
    assert found(number) == []


def test_a_wrong_check_digit_is_no_number():
    assert found("19121212-1212") != []
    for wrong in "013456789":
        assert found(f"19121212-121{wrong}") == []
    assert found("811218-9875") == [] and found("701063-2392") == []


def test_leap_day_2000_is_a_date_and_1900_is_not():
    leap_2000 = with_check_digit("000229123")
    assert found(f"20{leap_2000[:6]}-{leap_2000[6:]}") == [(PERSONNUMMER, f"20{leap_2000[:6]}-****",
                                                            dt.date(2000, 2, 29))]
    assert found(f"19{leap_2000[:6]}-{leap_2000[6:]}") == []  # 1900 was no leap year
    assert found(f"{leap_2000[:6]}-{leap_2000[6:]}") != []  # ten digits with '-': 2000
    assert found(f"{leap_2000[:6]}+{leap_2000[6:]}") == []  # ten digits with '+': 1900


def test_century_of_the_ten_digit_form_is_the_latest_in_the_past():
    number = with_check_digit("250101123")
    assert found(f"{number[:6]}-{number[6:]}") == [(PERSONNUMMER, "250101-****", dt.date(2025, 1, 1))]
    assert found(f"{number[:6]}-{number[6:]}", dt.date(2024, 12, 31)) == [
        (PERSONNUMMER, "250101-****", dt.date(1925, 1, 1))]
    assert found(f"{number[:6]}+{number[6:]}") == [(PERSONNUMMER, "250101+****", dt.date(1925, 1, 1))]


def test_dates_in_the_future_and_other_centuries_are_no_numbers():
    number = with_check_digit("991231123")
    assert found(f"19{number}") != []
    assert found(f"20{number}") == []  # 2099
    assert found(f"17{number}") == [] and found(f"21{number}") == []


VALID = "1212121212"  # Luhn-valid, 12 December 2012 (1912 with +): every text below holds it


@pytest.mark.parametrize("text", [
    f"0{VALID}",  # inside longer digit runs
    f"{VALID}0",
    f"19{VALID}3",
    f"{VALID[:6]}-{VALID[6:]}3",
    f"1-{VALID}",
    f"{VALID}-1",
    f"12 {VALID[:6]}-{VALID[6:]}",  # joined to another number by a space
    f"Konto 5050.{VALID}",
    f"Dnr 2020/{VALID[:6]}-{VALID[6:]}",
    f"{VALID[:6]}-{VALID[6:]}/2020",  # a diarienummer
    f"{VALID[:6]} {VALID[6:]} 34",  # a row of figures in a table
    f"{VALID},5 kr",
    "GNS/10/2020", "1 607 tkr", "Belopp 191 212 1212 kr",  # diarienummer and amounts
    "063-14 75 00", "070-123 45 67", "+46 70 123 45 67", "0701-23 45 67",  # phone numbers
    "2020-12-11", "2020-12-11 12:12", "20201211",  # dates
    "232100-0198", "202100-2114",  # organisationsnummer (month 21): Region and a municipality
])
def test_what_only_looks_like_a_number_is_not_found(text):
    assert found(text) == []


def test_the_valid_number_in_those_texts_is_found_on_its_own():
    """The false-positive texts fail for their context, not for the number."""
    assert found(VALID) and found(f"{VALID[:6]}-{VALID[6:]}") and found(f"{VALID[:6]} {VALID[6:]}")


def test_masking_keeps_the_length_and_hides_only_the_last_four_digits():
    text = "A 19121212-1212, B 811218-9876 och C 19121212-1213 (fel kontrollsiffra)."
    masked = mask_numbers(text, TODAY)
    assert masked == "A 19121212-****, B 811218-**** och C 19121212-1213 (fel kontrollsiffra)."
    assert len(masked) == len(text)


# ------------------------------------------------------------- properties

TEXT_AROUND = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ .,;:!?()-+/”\n\t", max_size=40)


@st.composite
def written_numbers(draw):
    """(a valid number as written in one of the forms, its kind, date of birth)."""
    born = draw(st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{draw(st.integers(0, 999)):03d}"
    ten = with_check_digit(nine)
    hundred = born <= TODAY.replace(year=TODAY.year - 100)
    short_separators = ["+"] if hundred else ["-", " ", "", "\u2013"]
    forms = [f"{born.year // 100}{ten[:6]}{sep}{ten[6:]}" for sep in ("-", " ", "", "\u2013")]
    forms += [f"{ten[:6]}{sep}{ten[6:]}" for sep in short_separators]
    return draw(st.sampled_from(forms)), SAMORDNINGSNUMMER if coordination else PERSONNUMMER, born


@pytest.mark.fuzz
@given(before=TEXT_AROUND, number=written_numbers(), after=TEXT_AROUND)
def test_a_valid_number_in_any_text_is_always_found(before, number, after):
    written, kind, born = number
    matches = find_personal_numbers(before + written + after, TODAY)
    assert [(m.start, m.text, m.kind, m.born) for m in matches] == [(len(before), written, kind, born)]
    assert matches[0].masked == written[:-4].replace("\n", "") + "****"


@pytest.mark.fuzz
@given(before=TEXT_AROUND, digits=st.text(alphabet="0123456789", min_size=10, max_size=12),
       separator=st.sampled_from(["-", "+", " ", ""]), after=TEXT_AROUND)
def test_random_digits_that_fail_luhn_are_never_found(before, digits, separator, after):
    assume(len(digits) in (10, 12) and not luhn_valid(digits[-10:]))
    written = f"{digits[:-4]}{separator}{digits[-4:]}"
    assert find_personal_numbers(before + written + after, TODAY) == []


@pytest.mark.fuzz
@given(before=TEXT_AROUND, number=written_numbers(), wrong=st.integers(1, 9), after=TEXT_AROUND)
def test_a_valid_number_with_another_check_digit_is_never_found(before, number, wrong, after):
    written = number[0]
    tampered = written[:-1] + str((int(written[-1]) + wrong) % 10)
    assert find_personal_numbers(before + tampered + after, TODAY) == []


# ----------------------------------------------------------- sensitive words


def word_hits(text: str) -> list[str]:
    return [match.text for match in words.find_sensitive_words(text)]


@pytest.mark.parametrize("text, expected", [
    ("Hon är sjukskriven sedan mars.", ["sjukskriven"]),
    ("SJUKSKRIVNINGAR och Långtidssjukskriven", ["SJUKSKRIVNINGAR", "Långtidssjukskriven"]),
    ("Hans sjukfrånvaro ökade.", ["sjukfrånvaro"]),
    ("Diagnosen ställdes i maj.", ["Diagnosen"]),
    ("Han har ett missbruk.", ["missbruk"]),
    ("utifrån etniskt ursprung", ["etniskt"]),
    ("hennes trosuppfattning", ["trosuppfattning"]),
    ("hans sexuella\nläggning", ["sexuella\nläggning"]),
    ("ett fackligt  medlemskap", ["fackligt  medlemskap"]),
    ("hans politiska uppfattning", ["politiska uppfattning"]),
    ("en tidigare lagöverträdelse", ["lagöverträdelse"]),
    ("barnet omhändertogs enligt LVU", ["LVU"]),
    ("ett omhändertagande enligt LVM", ["omhändertagande", "LVM"]),
])
def test_sensitive_words_are_found_whole_word_and_by_stem(text, expected):
    assert word_hits(text) == expected


@pytest.mark.parametrize("text", [
    "Hälso- och sjukvården", "diagnostik och behandling", "missbruksvården", "politiska partier",
    "fackliga organisationer", "fördömde", "religionsfrihet", "hälsa och välfärd", "känsliga personuppgifter",
    "olvuxen",
])
def test_words_of_general_policy_are_not_found(text):
    assert word_hits(text) == []


def test_every_word_of_the_list_is_explained_in_its_docstring():
    for term in words.SENSITIVE_TERMS:
        for word in term.words:
            assert f'"{word}"' in words.__doc__, word
            assert word_hits(word.replace("*", "")) or word_hits(word.replace("*", "x")), word


# --------------------------------------------------------- sources by kind


def test_markdown_and_yaml_give_line_and_column(tmp_path):
    text = tmp_path / "tjansteskrivelse.md"
    text.write_text("---\nrubrik: Test\n---\n\n## Ärendebeskrivning\n\nSökande är 19121212-1212, sjukskriven.\n",
                    encoding="utf-8")
    yaml = tmp_path / "protokoll.yaml"
    yaml.write_text("närvarande:\n  - namn: Anna\n    anteckning: 811218-9876\n", encoding="utf-8")
    first, second = privacy.scan_file(text, TODAY)
    assert (first.kind, first.line, first.place.column, first.shown) == (PERSONNUMMER, 7, 12, "19121212-****")
    assert (second.kind, second.line, second.shown, second.concerns) == (SENSITIVE_WORD, 7, "sjukskriven", "hälsa")
    assert first.excerpt == "Sökande är 19121212-****, sjukskriven."
    (number,) = privacy.scan_file(yaml, TODAY)
    assert (number.line, number.place.column, number.shown) == (3, 17, "811218-****")
    assert number.message().endswith(", rad 3: personnummer (811218-****) i texten ”anteckning: 811218-****” — "
                                      "ta bort det ur handlingen innan den publiceras.")


def test_word_file_paragraphs_tables_and_footer(tmp_path):
    document = docx.Document()
    document.add_paragraph("Inledning.")
    document.add_paragraph("")  # an empty paragraph is not counted
    document.add_paragraph("Kontaktperson 811218-9876 har lämnat synpunkter på förslaget i sin helhet.")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Sökande 811218-9876"  # a merged cell: reported once
    table.cell(1, 2).text = "19121212-1212"
    document.sections[0].footer.paragraphs[0].text = "Samordningsnummer 701063-2391"
    path = tmp_path / "bilaga.docx"
    document.save(path)
    findings = privacy.scan_file(path, TODAY)
    paragraph = "stycke 2 (börjar ”Kontaktperson 811218-**** har lämnat synpunkter på …”)"
    assert [(f.kind, str(f.place), f.shown) for f in findings] == [
        (PERSONNUMMER, paragraph, "811218-****"),
        (PERSONNUMMER, "tabell 1, rad 1, kolumn 1", "811218-****"),
        (PERSONNUMMER, "tabell 1, rad 2, kolumn 3", "19121212-****"),
        (SAMORDNINGSNUMMER, "sidfoten", "701063-****"),
    ]


def test_word_text_box_is_read_once(tmp_path):
    path = tmp_path / "ruta.docx"
    docx.Document().save(path)
    box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           '<mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Ruta 19121212-1212</w:t></w:r></w:p>'
           '</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Ruta 19121212-1212</w:t>'
           '</w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r>')
    _rewrite_zip_member(path, "word/document.xml",
                        lambda xml: xml.replace("<w:body>", f"<w:body><w:p>{box}</w:p>", 1))
    assert [(str(f.place), f.shown) for f in privacy.scan_file(path, TODAY)] == [("textruta 1", "19121212-****")]


def _rewrite_zip_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents[member] = change(contents[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def test_opendocument_paragraphs(tmp_path):
    path = tmp_path / "bilaga.odt"
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h>Rubrik</text:h><text:p>Sökande <text:span>19121212-1212</text:span> har LVU.</text:p>'
               '</office:text></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    assert [(f.kind, str(f.place), f.shown) for f in privacy.scan_file(path, TODAY)] == [
        (PERSONNUMMER, "stycke 2 (börjar ”Sökande 19121212-**** har LVU.”)", "19121212-****"),
        (SENSITIVE_WORD, "stycke 2 (börjar ”Sökande 19121212-**** har LVU.”)", "LVU"),
    ]


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with a page per list of lines (an empty list: a page with only a drawn box, as a scan has)."""
    sheet = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        sheet.rect(50, 50, 100, 100, fill=1)
        for number, line in enumerate(lines):
            sheet.drawString(72, 770 - 16 * number, line)
        sheet.showPage()
    sheet.save()
    return path


@pytest.mark.poppler
def test_pdf_gives_the_page(tmp_path):
    path = make_pdf(tmp_path / "bilaga.pdf", [["Protokollsutdrag"], [], ["Ledamot", "Sökande: 19121212-1212"]])
    (finding,) = privacy.scan_file(path, TODAY)
    assert (finding.kind, finding.page, finding.shown) == (PERSONNUMMER, 3, "19121212-****")
    assert "bilaga.pdf, sida 3: personnummer (19121212-****)" in finding.message()


@pytest.mark.poppler
def test_pdf_without_text_cannot_be_checked_and_says_so(tmp_path):
    path = make_pdf(tmp_path / "inskannad.pdf", [[], []])
    (finding,) = privacy.scan_file(path, TODAY)
    assert finding.kind == UNCHECKED and not finding.is_number
    assert "inskannad" in finding.message() and "kontrollera den själv" in finding.message()


def test_unreadable_word_file_is_reported_not_fatal(tmp_path):
    path = tmp_path / "trasig.docx"
    path.write_bytes(b"PK\x03\x04 inte en riktig docx")
    (finding,) = privacy.scan_file(path, TODAY)
    assert finding.kind == UNCHECKED and "trasig.docx" in finding.message()


# ----------------------------------------------------------- the meetings


@pytest.mark.parametrize("meeting_id", list_meetings(REPO / "sources"))
def test_the_demo_sources_as_shipped_have_nothing_to_report(meeting_id):
    meeting, _ = load_meeting(REPO / "sources" / meeting_id)
    assert privacy.scan_meeting(meeting) == []
    assert privacy.scan_minutes(meeting, load_record(meeting)) == []


def test_minutes_warn_about_a_written_reservation(sources, caplog):
    folder = sources / DEMO
    reservation = next((folder / "reservationer").glob("*.md"))
    reservation.write_text(reservation.read_text(encoding="utf-8") + "\nUndertecknad av 811218-9876.\n",
                           encoding="utf-8")
    line = reservation.read_text(encoding="utf-8").count("\n")
    meeting, _ = load_meeting(folder)
    with caplog.at_level(logging.WARNING, logger="meetingdocs.privacy"):
        (finding,) = privacy.warn_about_personal_data_in_minutes(meeting, load_record(meeting))
    assert (finding.file, finding.line) == (reservation, line)
    assert [record.getMessage() for record in caplog.records] == [finding.message()]
    assert "811218-9876" not in caplog.text and "811218-****" in caplog.text


# --------------------------------------------------------- the command line

PRIVACY_WARNING = re.compile(r"^Varning: .*(personnummer|samordningsnummer|ordet ”)")
PUBLIC_REFUSAL = "Den offentliga kallelsen (publik/kallelse.pdf) görs inte"


def _put_numbers_into(folder: Path) -> tuple[int, int]:
    """A personnummer and a sick-leave remark in a tjänsteskrivelse line, a personnummer in the Word bilaga and
    on page 2 of the PDF bilaga. Returns (the line in budget-2021.md, the paragraph in the Word file)."""
    budget = folder / "budget-2021.md"
    lines = budget.read_text(encoding="utf-8").splitlines()
    line = lines.index("Nämnden har själv att besluta om förändringar av betalningsperioder.") + 1
    lines[line - 1] += " Kontaktperson är 19121212-1212, som är sjukskriven."
    budget.write_text("\n".join(lines) + "\n", encoding="utf-8")
    word_file = next((folder / "aterstaende-medel-2018").glob("*.docx"))
    document = docx.Document(str(word_file))
    document.add_paragraph("Synpunkter från 811218-9876 har beaktats.")
    document.save(str(word_file))
    paragraph = sum(1 for p in document.paragraphs if p.text.strip())
    pdf = next((folder / "revisionsrapport").glob("*.pdf"))
    make_pdf(pdf, [["Protokollsutdrag § 14"], ["Sökande: 701063-2391"]])
    return line, paragraph


@pytest.mark.libreoffice
def test_build_warns_with_file_and_place_and_still_builds(sources, tmp_path):
    folder = sources / DEMO
    line, paragraph = _put_numbers_into(folder)
    out = tmp_path / "packets"
    result = run_build("packet", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / DEMO / "kallelse.pdf").is_file()
    warnings = [w for w in result.stderr.splitlines() if PRIVACY_WARNING.match(w) and PUBLIC_REFUSAL not in w]
    assert len(warnings) == 4, result.stderr  # nothing else in the demo is reported
    refusal = result.stderr[result.stderr.index(PUBLIC_REFUSAL):].split("\nKlart")[0].splitlines()[1:]
    assert len(refusal) == 3 and not (out / DEMO / "publik").exists()  # the three numbers; no public packet
    expected = [
        f"/budget-2021.md, rad {line}: personnummer (19121212-****) i texten ”",
        f"/budget-2021.md, rad {line}: ordet ”sjukskriven” kan vara en uppgift om hälsa",
        f"/protokollsutdrag-2020-02-14-8.docx, stycke {paragraph} (börjar ”Synpunkter från 811218-**** har "
        "beaktats.”): personnummer (811218-****)",
        "/protokollsutdrag-2020-05-29-14.pdf, sida 2: samordningsnummer (701063-****)",
    ]
    for fragment in expected:
        assert sum(fragment in warning for warning in warnings) == 1, (fragment, warnings)
    assert all("ta bort" in w and "innan den publiceras" in w for w in warnings)
    everything = result.stdout + result.stderr
    for number in ("19121212-1212", "811218-9876", "701063-2391", "-1212", "-9876", "-2391"):
        assert number not in everything

    # The e-mail preview of the same packet is unaffected: every recipient, no personal-data warning.
    preview = run_build("send", DEMO, sources=sources, out=out, env=smtp_env(free_port()), timeout=60)
    assert preview.returncode == 0, preview.stderr
    assert not [w for w in preview.stderr.splitlines() if PRIVACY_WARNING.match(w)]
    assert len(list((out / DEMO / "utskick" / "kallelse").glob("*.eml"))) == 18
