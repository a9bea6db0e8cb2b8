"""The committee file over time: each meeting gets the roster of its date.

Also a body that is not a nämnd (benämning, beslutförhet, rubriker). Most
validation cases load the meeting directly (fast); a few build through the
command line as the secretary does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import docx
import pytest

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode, SourceError
from meetingdocs.minutes.record import load_record
from meetingdocs.render.documents import render_kallelse
from meetingdocs.sources import load_meeting

GNS = Path("namnder") / "gns.yaml"
OLD = "2018-11-30"  # a meeting in the 2018 period, made by these tests


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_meeting(sources: Path, date: str, committee: str = "gns", with_case: bool = True) -> Path:
    """A small meeting: two standard items and, if asked, one case with a tjänsteskrivelse."""
    folder = sources / date
    case = "  - ärende: budget\n" if with_case else ""
    write(folder / "mote.yaml", f"""
        nämnd: {committee}
        datum: {date}
        tid: "09:00-12:00"
        plats: Sammanträdesrummet
        föredragningslista:
          - Val av justerare och tid för justering
          - Fastställande av föredragningslista
        """ + case)
    if with_case:
        write(folder / "budget.md", f"""
            ---
            rubrik: Budget för nästa år
            dnr: GNS/13/{date[:4]}
            datum: {date}
            ---
            ## Ärendebeskrivning

            Budgeten för nästa år.

            ## Förslag till beslut

            Budgeten fastställs.
            """)
    return folder


def loaded(folder: Path):
    meeting, _ = load_meeting(folder)
    return meeting


def refused(folder: Path) -> list[str]:
    """The problems (as printed) when the meeting does not load."""
    with pytest.raises(SourceError) as caught:
        load_meeting(folder)
    return [str(p) for p in caught.value.problems]


def assert_problem(problems: list[str], *fragments: str) -> None:
    assert any(all(f in p for f in fragments) for p in problems), (fragments, problems)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def people(committee) -> set[str]:
    return {p.name for p in committee.members + committee.deputies}


# ------------------------------------------------------ the roster of the date


def test_each_meeting_loads_the_roster_of_its_date(sources):
    old = loaded(add_meeting(sources, OLD)).committee
    assert old.chair.name == "Bengt Bergqvist"
    assert [m.name for m in old.members if m.role == "vice ordförande"] == ["Therese Kärngård"]
    assert len(old.members) == 9 and len(old.deputies) == 9
    assert [(s.name, s.title) for s in old.signatories] == [("Hans Svensson", "Regiondirektör"),
                                                           ("Mikael Ferm", "Regionstabschef")]
    new = loaded(sources / DEMO).committee
    assert new.chair.name == "Robert Hamberg"
    assert [(s.name, s.title) for s in new.signatories] == [("Hans Svensson", "Regiondirektör"),
                                                           ("Anders Byström", "Regional utvecklingsdirektör")]
    assert "Susanne Hansson" in people(new) and "Susanne Hansson" not in people(old)
    assert "Bengt Bergqvist" not in people(new)
    # Anders Edvinsson was a ledamot in 2018 and is an ersättare in 2020.
    assert "Anders Edvinsson" in {m.name for m in old.members}
    assert "Anders Edvinsson" in {d.name for d in new.deputies}


def test_the_first_and_last_day_of_a_period_belong_to_it(sources):
    assert loaded(add_meeting(sources, "2018-07-01", with_case=False)).committee.chair.name == "Bengt Bergqvist"
    assert loaded(add_meeting(sources, "2018-12-31", with_case=False)).committee.chair.name == "Bengt Bergqvist"
    assert loaded(add_meeting(sources, "2019-01-01", with_case=False)).committee.chair.name == "Robert Hamberg"
    assert loaded(add_meeting(sources, "2022-12-31", with_case=False)).committee.chair.name == "Robert Hamberg"


def test_dated_entries_change_the_roster_within_a_period(sources):
    gns = sources / GNS
    edit(gns, "      - namn: Anders Byström\n        titel: Regional utvecklingsdirektör\n",
         "      - namn: Anders Byström\n        titel: Regional utvecklingsdirektör\n        till: 2020-06-30\n"
         "      - namn: Anders Byström\n        titel: Regiondirektör\n        från: 2020-07-01\n")
    # Anders Edvinsson goes from ersättare to ledamot on 2020-12-11, after Bosse Svensson.
    edit(gns, "        e-post: bosse.svensson@example.org\n    ersättare:\n",
         "        e-post: bosse.svensson@example.org\n        till: 2020-12-10\n"
         "      - namn: Anders Edvinsson\n        parti: S\n        från: 2020-12-11\n    ersättare:\n")
    edit(gns, "        e-post: anders.edvinsson@example.org\n\n",
         "        e-post: anders.edvinsson@example.org\n        till: 2020-12-10\n\n")

    june = loaded(add_meeting(sources, "2020-06-30")).committee
    assert ("Anders Byström", "Regional utvecklingsdirektör") in [(s.name, s.title) for s in june.signatories]
    assert "Bosse Svensson" in {m.name for m in june.members}
    assert "Anders Edvinsson" in {d.name for d in june.deputies}

    demo = loaded(sources / DEMO)
    committee = demo.committee
    assert [(s.name, s.title) for s in committee.signatories][1] == ("Anders Byström", "Regiondirektör")
    assert "Bosse Svensson" not in people(committee)
    assert "Anders Edvinsson" in {m.name for m in committee.members}
    assert "Anders Edvinsson" not in {d.name for d in committee.deputies}
    # Messages about a person (make send) name the entry as written, not its place in the day's list.
    edvinsson = next(m for m in committee.members if m.name == "Anders Edvinsson")
    where, line = committee.locations[edvinsson]
    assert where == "mandatperioder[1].ledamöter[10]"
    assert gns.read_text(encoding="utf-8").splitlines()[line - 1] == "      - namn: Anders Edvinsson"
    # The tjänsteskrivelser sign with the title of the meeting's date.
    assert ("Anders Byström", "Regiondirektör") in [(s.name, s.title) for s in demo.cases[0].case.signatories]


def test_a_file_without_mandate_periods_holds_for_every_date(sources):
    shutil.copy(REPO / "tests" / "fixtures" / "second-committee" / "namnder" / "bun.yaml",
                sources / "namnder" / "bun.yaml")
    for date in ("1999-03-01", "2031-03-01"):
        committee = loaded(add_meeting(sources, date, committee="bun", with_case=False)).committee
        assert committee.chair.name == "Lena Lindqvist" and len(committee.members) == 7
        assert committee.body_noun == "nämnden" and committee.quorum_applies and committee.appeal is None


# ------------------------------------------------------------------- errors


def test_meeting_outside_every_period_is_refused_with_the_periods(sources, tmp_path):
    add_meeting(sources, "2023-01-13")
    out = tmp_path / "packets"
    result = run_build("packet", "2023-01-13", sources=sources, out=out)
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stderr.splitlines() if "mandatperiod" in line)
    assert "2023-01-13/mote.yaml, rad 2, fältet 'datum'" in line
    assert "gns.yaml har ingen mandatperiod som omfattar sammanträdets datum 2023-01-13" in line
    assert "Mandatperioder i filen: 2018-07-01–2018-12-31, 2019-01-01–2022-12-31" in line
    assert "lägg till mandatperioden" in line and "'mandatperioder:'" in line
    assert not (out / "2023-01-13").exists()


def test_overlapping_periods_are_refused(sources):
    edit(sources / GNS, "  - från: 2018-07-01\n    till: 2018-12-31\n", "  - från: 2018-07-01\n    till: 2019-01-31\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "rad 30, fältet 'mandatperioder[1]'",
                   "mandatperioden 2019-01-01–2022-12-31 överlappar mandatperioden 2018-07-01–2019-01-31 "
                   "(mandatperioder[2], rad ", "rätta 'från:' eller 'till:'")


def test_period_that_ends_before_it_begins_is_refused(sources):
    edit(sources / GNS, "    till: 2022-12-31\n", "    till: 2012-12-31\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].till'", "börjar 2019-01-01 men slutar 2012-12-31")
    assert len(problems) == 1, problems  # no follow-on error on datum: which period was meant is unknown


def test_top_level_roster_beside_mandate_periods_is_refused(sources):
    edit(sources / GNS, "mandatperioder:\n", "ledamöter:\n  - namn: Robert Hamberg\n    uppdrag: ordförande\n"
                                             "mandatperioder:\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "fältet 'ledamöter'", "rad ",
                   "'ledamöter' står både här på översta nivån och i 'mandatperioder'", "flytta")


def test_unknown_field_in_the_roster_is_an_error(sources):
    edit(sources / GNS, "  - från: 2019-01-01\n    till: 2022-12-31\n", "  - från: 2019-01-01\n    tll: 2022-12-31\n")
    edit(sources / GNS, "      - namn: Bosse Svensson\n", "      - namn: Bosse Svensson\n        slut: 2020-01-01\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].tll'", "okänt fält", "Menade du 'till'?")
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].till'", "saknas")
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].ledamöter[9].slut'", "okänt fält",
                   "Rätta stavningen")


def test_same_person_twice_with_overlapping_dates_is_refused(sources):
    edit(sources / GNS, "    ersättare:\n      - namn: Ann-Marie Johansson\n",
         "    ersättare:\n      - namn: Bosse Svensson\n        från: 2020-01-01\n"
         "      - namn: Ann-Marie Johansson\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].ersättare[1]'", "rad ",
                   "Bosse Svensson står två gånger i ledamöter/ersättare",
                   "(hela perioden och 2020-01-01–)", "'från:' och 'till:' som inte överlappar")


def test_entry_dates_outside_the_period_or_reversed_are_refused(sources):
    edit(sources / GNS, "      - namn: Bosse Svensson\n", "      - namn: Bosse Svensson\n        från: 2018-01-01\n")
    edit(sources / GNS, "      - namn: Mats Gärd\n",
         "      - namn: Mats Gärd\n        från: 2020-05-01\n        till: 2020-04-01\n")
    problems = refused(sources / DEMO)
    assert_problem(problems, "fältet 'mandatperioder[1].ledamöter[9].från'",
                   "'från: 2018-01-01' ligger utanför mandatperioden 2019-01-01–2022-12-31")
    assert_problem(problems, "fältet 'mandatperioder[1].ersättare[8].till'",
                   "Mats Gärd börjar 2020-05-01 men slutar 2020-04-01")


@pytest.mark.parametrize("change, count", [
    (("        uppdrag: ordförande\n        e-post: robert", "        e-post: robert"), "men 0 har det"),
    (("        uppdrag: ordförande\n        e-post: robert",
      "        uppdrag: ordförande\n        till: 2020-06-30\n        e-post: robert"), "men 0 har det"),
    (("        uppdrag: vice ordförande\n        e-post: susanne",
      "        uppdrag: ordförande\n        e-post: susanne"), "men 2 har det: Robert Hamberg, Susanne Hansson"),
], ids=["ingen", "ingen-på-datumet", "två"])
def test_exactly_one_chair_on_the_meeting_date(sources, change, count):
    edit(sources / GNS, *change)
    problems = refused(sources / DEMO)
    assert_problem(problems, "gns.yaml", "fältet 'mandatperioder[1].ledamöter'", "rad ",
                   "exakt en ledamot ska ha 'uppdrag: ordförande' den 2020-12-11", count)


def test_chair_change_within_a_period_is_no_error(sources):
    edit(sources / GNS, "        uppdrag: ordförande\n        e-post: robert",
         "        uppdrag: ordförande\n        till: 2020-06-30\n        e-post: robert")
    edit(sources / GNS, "      - namn: Robert Hamberg\n",
         "      - namn: Robert Hamberg\n        parti: M\n        från: 2020-07-01\n"
         "        e-post: robert.hamberg@example.org\n      - namn: Robert Hamberg\n")
    edit(sources / GNS, "      - namn: Bosse Svensson\n        parti: C\n",
         "      - namn: Bosse Svensson\n        parti: C\n        uppdrag: ordförande\n        från: 2020-07-01\n"
         "      - namn: Bosse Svensson\n        parti: C\n        till: 2020-06-30\n")
    assert loaded(sources / DEMO).committee.chair.name == "Bosse Svensson"
    assert loaded(add_meeting(sources, "2020-06-30", with_case=False)).committee.chair.name == "Robert Hamberg"


# ------------------------------------------------------------ a samverkansråd

SAMRAD = """
    namn: Regionalt samverkansråd för digitalisering
    kortnamn: RSD
    organisation: Region Jämtland Härjedalen
    benämning: samverkansrådet
    beslutförhet: nej
    överklagande: nej
    rubrik ledamöter: Deltagare
    rubrik ersättare: Personliga ersättare
    sekreterare:
      namn: Jessica Hådell
      e-post: jessica.hadell@example.org
    mandatperioder:
      - från: 2021-01-01
        till: 2022-12-31
        ledamöter:
          - namn: Karin Ordf
            uppdrag: ordförande
          - namn: Lars Andersson
          - namn: Maja Berg
          - namn: Nils Carlsson
          - namn: Olle Dahl
        ersättare:
          - namn: Petra Ek
    """
SAMRAD_RECORD = """
    tid: "09:00-10:00"
    paragrafer från: 1
    frånvarande:
      - Lars Andersson
      - Maja Berg
      - Nils Carlsson
    justerare:
      - Olle Dahl
    justering:
      datum: 2021-05-12
      plats: Kansliet
    beslut:
      1: bifall
      2: bifall
    """
SAMRAD_DATE = "2021-05-10"


def add_samrad(sources: Path, committee: str = SAMRAD) -> Path:
    write(sources / "namnder" / "rsd.yaml", committee)
    folder = add_meeting(sources, SAMRAD_DATE, committee="rsd", with_case=False)
    write(folder / "protokoll.yaml", SAMRAD_RECORD)
    return folder


def test_body_fields_are_loaded(sources):
    committee = loaded(add_samrad(sources)).committee
    assert committee.body_noun == "samverkansrådet"
    assert committee.quorum_applies is False and committee.appeal == ""
    assert committee.member_heading == "Deltagare" and committee.deputy_heading == "Personliga ersättare"
    assert loaded(sources / DEMO).committee.appeal is None  # absent: the standard text


@pytest.mark.parametrize("written, expected", [("ja", None), ("nej", ""), ("no", ""),
                                               ("Beslutet kan inte överklagas.", "Beslutet kan inte överklagas.")])
def test_appeal_field(sources, written, expected):
    committee = loaded(add_samrad(sources, SAMRAD.replace("överklagande: nej", f"överklagande: {written}"))).committee
    assert committee.appeal == expected


def test_quorum_field_must_be_yes_or_no(sources):
    problems = refused(add_samrad(sources, SAMRAD.replace("beslutförhet: nej", "beslutförhet: kanske")))
    assert_problem(problems, "rsd.yaml", "rad 5", "fältet 'beslutförhet'", "'kanske' är varken ja eller nej")


def test_quorum_is_checked_for_a_nämnd_with_its_own_noun(sources):
    """Two of five serve: the check applies unless 'beslutförhet: nej', and names the body."""
    meeting = loaded(add_samrad(sources))
    assert load_record(meeting).decisions  # no quorum check for the samverkansråd
    strict = SAMRAD.replace("beslutförhet: nej", "beslutförhet: ja")
    with pytest.raises(SourceError) as caught:
        load_record(loaded(add_samrad(sources, strict)))
    assert_problem([str(p) for p in caught.value.problems], "protokoll.yaml", "fältet 'beslut.1'",
                   "samverkansrådet är inte beslutför vid punkt 1: 2 tjänstgör")
    plain = SAMRAD.replace("    beslutförhet: nej\n", "").replace("    benämning: samverkansrådet\n", "")
    with pytest.raises(SourceError) as caught:
        load_record(loaded(add_samrad(sources, plain)))
    assert_problem([str(p) for p in caught.value.problems], "nämnden är inte beslutför vid punkt 1")


def kallelse_paragraphs(meeting, tmp_path: Path) -> list[str]:
    out = render_kallelse(meeting, REPO / "templates" / "kallelse.docx", tmp_path / "kallelse.docx", links=False)
    return [p.text for p in docx.Document(out).paragraphs]


def test_kallelse_headings_follow_the_committee_file(sources, tmp_path):
    texts = kallelse_paragraphs(loaded(add_samrad(sources)), tmp_path)
    assert texts[texts.index("Deltagare") + 1] == "Lars Andersson"
    assert texts[texts.index("Personliga ersättare") + 1] == "Petra Ek"
    assert "Ledamöter" not in texts and "Ersättare" not in texts
    without_deputies = SAMRAD.replace("        ersättare:\n          - namn: Petra Ek\n", "")
    texts = kallelse_paragraphs(loaded(add_samrad(sources, without_deputies)), tmp_path)
    assert "Personliga ersättare" not in texts and "Petra Ek" not in texts  # no empty heading
    demo = kallelse_paragraphs(loaded(sources / DEMO), tmp_path)
    assert demo[demo.index("Ledamöter") + 1] == "Björn Hammarberg (M)"
    assert demo[demo.index("Ersättare") + 1] == "Ann-Marie Johansson (S)"


# ------------------------------------------------------- through the command line


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_old_meeting_is_built_with_its_own_roster_and_today_with_today(sources, tmp_path, demo_build):
    add_meeting(sources, OLD)
    out = tmp_path / "packets"
    result = run_build("packet", OLD, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    old = pdf_text(out / OLD / "kallelse.pdf")
    kallelse, _, report = old.partition("Budget för nästa år (GNS/13/2018)\n")  # the agenda, then the TS
    assert re.search(r"Ordförande\s+Bengt Bergqvist \(S\)\s+Ledamöter\s+Thomas Hägg \(S\)", kallelse)
    assert "Therese Kärngård (S), Vice ordförande" in kallelse and "Björn Groth (M)" in kallelse
    assert "Mikael Ferm" in report and "Regionstabschef" in report
    for today in ("Robert Hamberg", "Susanne Hansson", "Anders Byström", "Regional utvecklingsdirektör"):
        assert today not in old, today
    new = pdf_text(demo_build / "kallelse.pdf")
    assert re.search(r"Ordförande\s+Robert Hamberg \(M\)\s+Ledamöter\s+Björn Hammarberg \(M\)", new)
    assert "Anders Byström" in new and "Regional utvecklingsdirektör" in new
    for then in ("Bengt Bergqvist", "Mikael Ferm", "Regionstabschef", "Thomas Hägg"):
        assert then not in new, then


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_samverkansrad_builds_kallelse_and_protokoll_without_quorum(sources, tmp_path):
    add_samrad(sources)
    out = tmp_path / "packets"
    packet = run_build("packet", SAMRAD_DATE, sources=sources, out=out)
    assert packet.returncode == 0, packet.stderr
    kallelse = pdf_text(out / SAMRAD_DATE / "kallelse.pdf")
    assert re.search(r"Ordförande\s+Karin Ordf\s+Deltagare\s+Lars Andersson", kallelse)
    assert re.search(r"Personliga ersättare\s+Petra Ek", kallelse)
    assert "Ledamöter" not in kallelse
    minutes = run_build("protokoll", SAMRAD_DATE, sources=sources, out=out)
    assert minutes.returncode == 0, minutes.stderr
    assert "beslutför" not in minutes.stderr
    assert "Lars Andersson" in pdf_text(out / SAMRAD_DATE / "protokoll.pdf")
