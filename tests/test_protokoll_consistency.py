"""A protokoll that contradicts itself is refused.

The decision agrees with the vote (and with a written propositionsordning), a
tie is decided by the chair's vote only when the chair voted, från/till run
forwards inside the agenda, and only those serving at an item vote or yrkar.
Each rule: a refused record through the command line (exit code, a Swedish
message naming protokoll.yaml, the line and the field, no traceback, nothing
built) and a consistent record that is accepted.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ExitCode
from meetingdocs.minutes import votes
from meetingdocs.minutes.votes import MOTION, PROPOSAL, Motion, Option
from meetingdocs.model import Person
from test_protokoll import RECORD, edit, flat, pdf_pages

# Item 6 of the demo (§ 36): serving are Robert Hamberg (ordförande), Therese Kärngård, Jörgen Persson,
# Anders Häggkvist, Mikael Westin, Susanne Hansson (vice ordförande) and Bo Karlsson; Bosse Svensson has jäv.
DEMO_VOTES = ("        ja: [Robert Hamberg, Anders Häggkvist, Mikael Westin, Bo Karlsson]\n"
              "        nej: [Therese Kärngård, Jörgen Persson]\n"
              "        avstår: [Susanne Hansson]\n")
DEMO_RESERVATIONS = ("    reservationer:\n"
                     "      - namn: Jörgen Persson\n"
                     "        text: till förmån för eget yrkande\n"
                     "        skriftlig: reservationer/jorgen-persson-punkt-6.md\n"
                     "      - namn: Therese Kärngård\n"
                     "        text: till förmån för Jörgen Perssons yrkande\n")
ITEM_6_DECISION = "    beslut: bifall\n    reservationer:"
AMENDMENT = "Jörgen Perssons ändringsyrkande"
AMENDMENT_WORDS = ("Återstående medel, totalt 468 091 kr, reserveras till 2021 års budget för aktiviteter kopplade "
                   "till Svenskt ramverk för digital samverkan.")
PROPOSAL_TEXT = ("Återstående medel från 2018 och 2019, totalt 468 091 kr återbetalas med 52 010 kr till "
                 "respektive part.")


# ---------------------------------------------------------------- helpers


def set_votes(record: Path, ja: list[str], nej: list[str], avstar: list[str] = ()) -> None:
    edit(record, DEMO_VOTES, f"        ja: [{', '.join(ja)}]\n        nej: [{', '.join(nej)}]\n"
                             f"        avstår: [{', '.join(avstar)}]\n")


def amendment_wins(record: Path, decision: str) -> None:
    """Item 6: Jörgen Persson's ändringsyrkande wins 4–3; the one who reserves voted for the proposal."""
    set_votes(record, ["Robert Hamberg", "Anders Häggkvist", "Mikael Westin"],
              ["Therese Kärngård", "Jörgen Persson", "Bo Karlsson", "Susanne Hansson"])
    edit(record, DEMO_RESERVATIONS, "    reservationer:\n      - namn: Anders Häggkvist\n"
                                    "        text: till förmån för förslaget till beslut\n")
    edit(record, ITEM_6_DECISION, f"    beslut: {decision}\n    reservationer:")


def line_of(path: Path, text: str, after: str = "") -> int:
    """The 1-based line holding ``text``, the first one after the line holding ``after``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if after in line) if after else 0
    return next(n for n, line in enumerate(lines[start:], start=start + 1) if text in line)


def run_refused(sources: Path, out: Path) -> str:
    """Run the build, which must stop on bad input; its stderr."""
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert "Inget har ändrats i packets/." in result.stderr
    return result.stderr


def problem_at(stderr: str, fragment: str, *, line: int, field: str, also: tuple[str, ...] = ()) -> str:
    """The reported problem holding ``fragment``; it names protokoll.yaml, ``line`` and ``field``."""
    problems = [p for p in stderr.splitlines() if fragment in p]
    assert problems, f"{fragment!r} saknas i:\n{stderr}"
    problem = problems[0]
    assert "protokoll.yaml" in problem and f", rad {line}, " in problem and f"fältet '{field}'" in problem, problem
    for text in also:
        assert text in problem, f"{text!r} saknas i:\n{problem}"
    return problem


def refused(sources: Path, tmp_path: Path, fragment: str, *, line: int, field: str,
            also: tuple[str, ...] = ()) -> str:
    """The build stops with a problem holding ``fragment`` and builds nothing."""
    stderr = run_refused(sources, tmp_path / "packets")
    assert not (tmp_path / "packets" / DEMO / "protokoll.pdf").exists()
    return problem_at(stderr, fragment, line=line, field=field, also=also)


def accepted(sources: Path, tmp_path: Path) -> None:
    """The record is consistent: its only problem is one planted to stop the run before LibreOffice."""
    edit(sources / RECORD, "  7: bifall\n", "")
    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Källfilerna innehåller ett fel:" in result.stderr, result.stderr
    assert "beslut saknas för punkt 7" in result.stderr


# ------------------------------------------------------ decision and vote


def test_bifall_when_the_amendment_won_is_refused(sources, tmp_path):
    record = sources / RECORD
    amendment_wins(record, "bifall")
    refused(sources, tmp_path, "beslutet stämmer inte med omröstningen",
            line=line_of(record, "beslut: bifall", "  6:"), field="beslut.6.beslut",
            also=("'bifall', det vill säga att förslaget till beslut antas",
                  f"omröstningen vanns av nej-sidan, {AMENDMENT}, med 4 röster mot 3",
                  f"Skriv 'beslut: bifall till {AMENDMENT}'", f'beslut: "{AMENDMENT_WORDS}"'))


def test_own_text_that_is_not_the_winning_amendment_is_refused(sources, tmp_path):
    record = sources / RECORD
    amendment_wins(record, PROPOSAL_TEXT)
    refused(sources, tmp_path, "beslutet stämmer inte med omröstningen", line=line_of(record, "beslut: Återst"),
            field="beslut.6.beslut", also=(f"nämner varken lydelsen i {AMENDMENT} eller Jörgen Persson",))


def test_own_text_quoting_the_losing_amendment_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, ITEM_6_DECISION, f"    beslut: {AMENDMENT_WORDS}\n    reservationer:")
    refused(sources, tmp_path, "beslutet stämmer inte med omröstningen", line=line_of(record, "beslut: Återst"),
            field="beslut.6.beslut", also=(f"återger {AMENDMENT}", "vanns av ja-sidan, förslaget till beslut",
                                           "Skriv 'beslut: bifall'"))


def test_bifall_till_the_losing_amendment_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, ITEM_6_DECISION, f"    beslut: bifall till {AMENDMENT}\n    reservationer:")
    refused(sources, tmp_path, "beslutet stämmer inte med omröstningen", line=line_of(record, "beslut: bifall till"),
            field="beslut.6.beslut", also=(f"beslutet är 'bifall till {AMENDMENT}'", "Skriv 'beslut: bifall'"))


def test_bifall_till_something_that_was_not_proposed_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, ITEM_6_DECISION, "    beslut: bifall till Jörgens förslag\n    reservationer:")
    refused(sources, tmp_path, "'bifall till Jörgens förslag' pekar inte ut något av förslagen vid punkt 6",
            line=line_of(record, "beslut: bifall till"), field="beslut.6.beslut",
            also=(f"'förslaget till beslut', '{AMENDMENT}'",))


def test_vote_side_that_names_no_proposition_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, f"      nej: {AMENDMENT}", "      nej: Jörgens förslag")
    refused(sources, tmp_path, "omröstningens nej ('Jörgens förslag') går inte att koppla",
            line=line_of(record, "nej: Jörgens förslag"), field="beslut.6.omröstning.nej",
            also=(f"Skriv ett av: 'förslaget till beslut', '{AMENDMENT}'",))


def test_vote_with_one_proposition_on_both_sides_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, f"      nej: {AMENDMENT}", "      nej: Robert Hambergs bifallsyrkande")
    refused(sources, tmp_path, "omröstningens ja och nej står för samma förslag",
            line=line_of(record, "nej: Robert"), field="beslut.6.omröstning")


def test_written_propositionsordning_that_reverses_the_vote_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    omröstning:\n", "    propositionsordning: Ja-röst för Jörgen Perssons ändringsyrkande, "
                                      "nej-röst för förslaget till beslut.\n    omröstning:\n")
    refused(sources, tmp_path, f"propositionsordningen ger ja-röst för '{AMENDMENT}'",
            line=line_of(record, "propositionsordning:"), field="beslut.6.propositionsordning",
            also=("men omröstningen har ja: 'förslaget till beslut'",))


def test_propositionsordning_finding_against_the_decision_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    omröstning:\n      ja: förslaget till beslut\n      nej: Jörgen Perssons ändringsyrkande\n"
                 "      röster:\n" + DEMO_VOTES,
         "    propositionsordning: Ordföranden ställer proposition på förslaget till beslut och Jörgen Perssons "
         "ändringsyrkande och finner att nämnden beslutar enligt Jörgen Perssons ändringsyrkande.\n")
    refused(sources, tmp_path, "beslutet stämmer inte med propositionsordningen",
            line=line_of(record, "beslut: bifall", "  6:"), field="beslut.6.beslut",
            also=(f"ordföranden finner att nämnden beslutar enligt {AMENDMENT}",
                  "Eller rätta propositionsordningen"))


@pytest.mark.parametrize("change", [
    pytest.param(lambda r: amendment_wins(r, AMENDMENT_WORDS), id="egen text med yrkandets lydelse"),
    pytest.param(lambda r: amendment_wins(r, "Nämnden beslutar enligt Jörgen Perssons (S) ändringsyrkande."),
                 id="egen text som hänvisar till yrkandet"),
    pytest.param(lambda r: (amendment_wins(r, "bifall till Jörgen Perssons yrkande"),
                            edit(r, f"nej: {AMENDMENT}", "nej: Jörgen Perssons yrkande")),
                 id="bifall till yrkandet med kort namn"),
    pytest.param(lambda r: edit(r, "    omröstning:\n", "    propositionsordning: Ordföranden finner att "
                                "nämnden beslutar enligt förslaget till beslut. Ja-röst för förslaget till "
                                f"beslut, nej-röst för {AMENDMENT}.\n    omröstning:\n"),
                 id="skriven propositionsordning som stämmer"),
    pytest.param(lambda r: edit(r, "    omröstning:\n      ja: förslaget till beslut\n",
                                "    omröstning:\n      ja: bifall till Regiondirektörens förslag\n"),
                 id="förslagsrubriken som ja"),
])
def test_decision_that_agrees_with_the_vote_is_accepted(sources, tmp_path, change):
    change(sources / RECORD)
    accepted(sources, tmp_path)


# ------------------------------------------------------------------ ties


def test_tie_when_the_chair_abstained_is_refused(sources, tmp_path):
    record = sources / RECORD
    set_votes(record, ["Anders Häggkvist", "Mikael Westin", "Bo Karlsson"],
              ["Therese Kärngård", "Jörgen Persson", "Susanne Hansson"], ["Robert Hamberg"])
    refused(sources, tmp_path, "omröstningen vid punkt 6 slutar lika, 3–3", line=line_of(record, "röster:", "  6:"),
            field="beslut.6.omröstning.röster",
            also=("ordföranden Robert Hamberg röstade inte ja eller nej", "röst enligt kommunallagen",
                  "bara när ordföranden har röstat", "ska hen stå under ja eller nej", "lottning"))


def test_tie_when_no_chair_serves_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "frånvarande:\n", "frånvarande:\n  - Robert Hamberg\n")
    edit(record, "      - namn: Robert Hamberg\n        typ: bifallsyrkande\n", "")
    edit(record, "    jäv:\n      - Bosse Svensson\n", "    jäv:\n      - Bosse Svensson\n      - Susanne Hansson\n")
    set_votes(record, ["Anders Häggkvist", "Mikael Westin"], ["Therese Kärngård", "Jörgen Persson"],
              ["Bo Karlsson"])
    refused(sources, tmp_path, "slutar lika, 2–2", line=line_of(record, "röster:", "  6:"),
            field="beslut.6.omröstning.röster",
            also=("varken ordföranden eller en vice ordförande tjänstgör vid punkten",))


def test_tie_decided_by_the_chairs_vote_is_accepted(sources, tmp_path):
    record = sources / RECORD
    amendment_wins(record, f"bifall till {AMENDMENT}")
    set_votes_line = "        ja: [Robert Hamberg, Anders Häggkvist, Mikael Westin]\n"
    edit(record, set_votes_line, "        ja: [Anders Häggkvist, Mikael Westin, Bo Karlsson]\n")
    edit(record, "        nej: [Therese Kärngård, Jörgen Persson, Bo Karlsson, Susanne Hansson]\n",
         "        nej: [Therese Kärngård, Jörgen Persson, Robert Hamberg]\n")
    edit(record, "        avstår: []\n", "        avstår: [Susanne Hansson]\n")
    accepted(sources, tmp_path)


# ------------------------------------------------------------ från / till


def test_range_that_runs_backwards_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    till: 9 ", "    från: 9\n    till: 3 ")
    edit(record, "    från: 10 ", "    från: 10\n    till: 4 ")
    stderr = run_refused(sources, tmp_path / "packets")
    problem_at(stderr, "från punkt 9 till punkt 3 går baklänges", line=line_of(record, "till: 3"),
               field="delvis närvarande[1].till", also=("'från' får inte vara större än 'till'",))
    problem_at(stderr, "från punkt 10 till punkt 4 går baklänges", line=line_of(record, "till: 4"),
               field="tjänstgörande ersättare[2].till")


def test_range_outside_the_agenda_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    från: 10 ", "    från: 0 ")
    edit(record, "    till: 9 ", "    till: 12 ")
    stderr = run_refused(sources, tmp_path / "packets")
    problem_at(stderr, "'0' är inget punktnummer i föredragningslistan (1–11)", line=line_of(record, "från: 0"),
               field="tjänstgörande ersättare[2].från")
    problem_at(stderr, "'12' är inget punktnummer i föredragningslistan (1–11)", line=line_of(record, "till: 12"),
               field="delvis närvarande[1].till")


def test_partial_attendance_without_a_range_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    till: 9                      # lämnade sammanträdet efter punkt 9\n", "")
    refused(sources, tmp_path, "ange från vilken punkt ledamoten deltog",
            line=line_of(record, "- namn: Mikael Westin", "delvis närvarande:"), field="delvis närvarande[1]")


def test_member_both_absent_and_partly_present_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "  - Daniel Danielsson\n", "  - Daniel Danielsson\n  - Mikael Westin\n")
    refused(sources, tmp_path, "Mikael Westin står under delvis närvarande och också under frånvarande",
            line=line_of(record, "- namn: Mikael Westin", "delvis närvarande:"), field="delvis närvarande")


def test_consistent_ranges_are_accepted(sources, tmp_path):
    record = sources / RECORD
    edit(record, "    till: 9 ", "    från: 2\n    till: 9 ")
    edit(record, "    från: 10 ", "    från: 10\n    till: 11 ")
    accepted(sources, tmp_path)


# ----------------------------------------------------- who serves and votes


@pytest.mark.parametrize("change, reason", [
    pytest.param(lambda r: edit(r, "    till: 9 ", "    till: 5 "), "delvis närvarande, deltar bara i punkt 1–5",
                 id="lämnade före punkten"),
    pytest.param(lambda r: (edit(r, "    till: 9 ", "    från: 7 "), edit(r, "    från: 10 ", "    till: 6 ")),
                 "delvis närvarande, deltar bara i punkt 7–11", id="kom efter punkten, ersatt vid den"),
])
def test_vote_by_a_member_not_present_at_the_item_is_refused(sources, tmp_path, change, reason):
    record = sources / RECORD
    change(record)
    refused(sources, tmp_path, f"Mikael Westin tjänstgör inte vid punkt 6 och får inte rösta ({reason})",
            line=line_of(record, "ja: [", "röster:"), field="beslut.6.omröstning.röster.ja")


def test_votes_by_deputies_and_absent_members_are_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "avstår: [Susanne Hansson]",
         "avstår: [Susanne Hansson, Mats Gärd, Ann-Marie Johansson, Daniel Danielsson]")
    stderr = run_refused(sources, tmp_path / "packets")
    line = line_of(record, "avstår: [", "röster:")
    for voter, reason in (("Mats Gärd", "tjänstgörande ersättare bara vid punkt 10–11"),
                          ("Ann-Marie Johansson", "ersättare, men står inte under tjänstgörande ersättare"),
                          ("Daniel Danielsson", "antecknad som frånvarande")):
        problem_at(stderr, f"{voter} tjänstgör inte vid punkt 6 och får inte rösta ({reason})", line=line,
                   field="beslut.6.omröstning.röster.avstår")


def test_vote_by_someone_with_jav_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "avstår: [Susanne Hansson]", "avstår: [Susanne Hansson, Bosse Svensson]")
    refused(sources, tmp_path, "Bosse Svensson har anmält jäv men finns med i omröstningen",
            line=line_of(record, "avstår: [", "röster:"), field="beslut.6.omröstning.röster.avstår")


def test_yrkande_by_someone_not_serving_is_refused(sources, tmp_path):
    record = sources / RECORD
    edit(record, "      - namn: Robert Hamberg\n        typ: bifallsyrkande",
         "      - namn: Bosse Svensson\n        typ: bifallsyrkande")
    refused(sources, tmp_path, "Bosse Svensson tjänstgör inte vid punkt 6 och kan inte yrka (har anmält jäv)",
            line=line_of(record, "yrkanden:", "  6:"), field="beslut.6.yrkanden")


# ------------------------------------------- a consistent record, built for real


@pytest.fixture(scope="module")
def consistent(tmp_path_factory) -> Path:
    """The demo with § 36 won by the ändringsyrkande and § 39 tied, chaired by the vice ordförande (jäv)."""
    sources = tmp_path_factory.mktemp("consistent") / "sources"
    shutil.copytree(REPO / "sources", sources)
    record = sources / RECORD
    amendment_wins(record, f"bifall till {AMENDMENT}")
    edit(record, "  9:\n    beslut: bifall\n",
         "  9:\n    jäv: [Robert Hamberg]\n    yrkanden:\n      - namn: Therese Kärngård\n        typ: återremiss\n"
         "        text: för att utreda ett gemensamt dataskyddsombud med fler parter\n"
         "    omröstning:\n      ja: ärendet avgörs i dag\n      nej: Therese Kärngårds återremissyrkande\n"
         "      röster:\n        ja: [Anders Häggkvist, Mikael Westin, Bosse Svensson]\n"
         "        nej: [Therese Kärngård, Jörgen Persson, Susanne Hansson]\n        avstår: [Bo Karlsson]\n"
         "    beslut: Ärendet återremitteras för att utreda ett gemensamt dataskyddsombud med fler parter.\n")
    out = tmp_path_factory.mktemp("packets")
    result = run_build("protokoll", DEMO, sources=sources, out=out)
    assert result.returncode == 0, result.stderr
    return out


def paragraph(text: str, number: int) -> str:
    """§ ``number`` from its heading (followed by its title) to the next; not a mention such as 'ej § 36 (jäv)'."""
    def heading(n: int) -> int:
        return re.search(rf"§ {n} (?=[A-ZÅÄÖ]|$)", text).start()
    return text[heading(number):heading(number + 1)]


def decision_of(paragraph_text: str) -> str:
    """What stands under the heading Beslut, up to the next heading."""
    after = paragraph_text[paragraph_text.index(" Beslut ") + len(" Beslut "):]
    return after.split(" Reservation ")[0].split(" Jäv ")[0]


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_amendment_that_won_is_the_decision_in_the_pdf(consistent):
    text = flat("\n".join(pdf_pages(consistent / DEMO / "protokoll.pdf")))
    section = paragraph(text, 36)
    assert ("Med 3 ja-röster mot 4 nej-röster, och 0 som avstår, beslutar nämnden enligt Jörgen Perssons "
            "ändringsyrkande.") in section
    decision = decision_of(section)
    assert decision.startswith("Nämnden beslutar, enligt Jörgen Perssons (S) ändringsyrkande, att återstående "
                               "medel, totalt 468 091 kr, reserveras till 2021 års budget"), decision
    assert "återbetalas" not in decision
    assert "Anders Häggkvist (C) reserverar sig mot beslutet till förmån för förslaget till beslut." in section
    extract = flat("\n".join(pdf_pages(consistent / DEMO / "utdrag" / "protokollsutdrag-36.pdf")))
    assert decision_of(paragraph(extract + " § 37 ", 36)) == decision


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_tie_decided_by_the_chairing_vice_ordforande_in_the_pdf(consistent):
    section = paragraph(flat("\n".join(pdf_pages(consistent / DEMO / "protokoll.pdf"))), 39)
    assert "Therese Kärngård (S) yrkar att ärendet återremitteras för att utreda" in section
    assert "finner att nämnden beslutar att ärendet avgörs i dag" in section
    assert "Ja-röst för att ärendet avgörs i dag. Nej-röst för Therese Kärngårds återremissyrkande." in section
    assert ("Omröstningen ger 3 ja-röster och 3 nej-röster (1 avstår). Tjänstgörande ordförande Susanne Hansson "
            "(S) har utslagsröst och röstade nej: nämnden beslutar enligt Therese "
            "Kärngårds återremissyrkande.") in section
    assert decision_of(section).startswith("Ärendet återremitteras för att utreda")
    assert "Robert Hamberg (M) anmäler jäv" in section


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_refused_record_leaves_the_earlier_protokoll_alone(consistent, sources, tmp_path):
    before = {p: p.read_bytes() for p in (consistent / DEMO).rglob("*") if p.is_file()}
    record = sources / RECORD
    amendment_wins(record, "bifall")
    stderr = run_refused(sources, consistent)
    problem_at(stderr, "beslutet stämmer inte med omröstningen", line=line_of(record, "beslut: bifall", "  6:"),
               field="beslut.6.beslut")
    assert {p: p.read_bytes() for p in (consistent / DEMO).rglob("*") if p.is_file()} == before


# ------------------------------------------------------------- properties

MEMBERS = [Person("Robert Hamberg", "M", role="ordförande"), Person("Therese Kärngård", "S"),
           Person("Jörgen Persson", "S"), Person("Anders Häggkvist", "C"), Person("Marcus Fritz", "KD"),
           Person("Susanne Hansson", "S", role="vice ordförande")]
KINDS = sorted(votes.KIND_NOUNS)


@pytest.mark.fuzz
@given(st.lists(st.tuples(st.sampled_from(MEMBERS), st.sampled_from(KINDS), st.sampled_from(["", "att x sker"])),
                max_size=5))
def test_every_proposition_is_found_again_by_its_name(entries):
    """What the tool prints as a proposition's name, the secretary can write back; it names nothing else."""
    motions = votes.numbered([Motion(person, kind, text) for person, kind, text in entries])
    for option in votes.propositions(motions):
        assert votes.resolve(option.label, motions) == option
        assert votes.resolve(f"bifall till {option.label}", motions) == option
        if option.kind == MOTION:
            assert votes.resolve(f"avslag på {option.label}", motions) == Option(MOTION, option.motion, False)
    for motion in motions:
        if motion.kind == "bifallsyrkande":
            assert votes.resolve(votes.motion_label(motion), motions) == Option(PROPOSAL)


@pytest.mark.fuzz
@given(st.lists(st.sampled_from(["ja", "nej", "avstår"]), min_size=len(MEMBERS), max_size=len(MEMBERS)),
       st.sets(st.sampled_from([m.name for m in MEMBERS])))
def test_a_tie_is_decided_only_by_a_chair_who_voted(choices, absent):
    serving = [m for m in MEMBERS if m.name not in absent]
    vote = votes.Vote("förslaget till beslut", "avslag", {m.name: c for m, c in zip(serving, choices)})
    chair = votes.presiding(MEMBERS, {m.name for m in serving})
    result = votes.outcome(vote, chair)
    yes, no = choices[:len(serving)].count("ja"), choices[:len(serving)].count("nej")
    if yes != no:
        assert result.side == ("ja" if yes > no else "nej") and result.casting is None
    elif chair is not None and vote.votes[chair.name] in ("ja", "nej"):
        assert result.side == vote.votes[chair.name] and result.casting == chair
    else:
        assert result.side is None
    if chair is not None:
        assert chair.role in ("ordförande", "vice ordförande") and chair in serving
        assert chair.role == "ordförande" or MEMBERS[0] not in serving
