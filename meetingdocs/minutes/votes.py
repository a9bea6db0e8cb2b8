"""Yrkanden, omröstningar and what they decide.

A vote (omröstning) is between two propositions: förslaget till beslut,
one of the recorded yrkanden, "avslag på" a yrkande, or (for återremiss and
bordläggning) that the matter is decided today. This module names those
propositions, works out which side won (a tie is decided by the chair's
casting vote, but only when the chair voted, under kommunallagen)
and checks that the written decision and propositionsordning agree with
the result.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from ..model import CHAIR, VICE_CHAIRS, Person

if TYPE_CHECKING:
    from .record import Decision

ADOPTED = "bifall"  # beslut: bifall, the förslag till beslut is adopted as written
ADOPTED_MOTION = "bifall till"  # beslut: bifall till Jörgen Perssons ändringsyrkande
PROPOSAL = "förslaget till beslut"
MOTION = "yrkande"
TODAY = "avgörs i dag"
# Cited without section numbers: messages must never quote a paragraph nobody has checked against SFS.
CASTING_VOTE_LAW = "enligt kommunallagen"
ELECTION_TIE_LAW = "enligt kommunallagen"

# How a kind of yrkande is named as a proposition: "Jörgen Perssons återremissyrkande".
KIND_NOUNS = {
    "yrkande": "yrkande",
    "bifallsyrkande": "bifallsyrkande",
    "ändringsyrkande": "ändringsyrkande",
    "tilläggsyrkande": "tilläggsyrkande",
    "avslag": "avslagsyrkande",
    "avslagsyrkande": "avslagsyrkande",
    "återremiss": "återremissyrkande",
    "bordläggning": "bordläggningsyrkande",
}
# Words that show a decision text carries out a yrkande that has no text of its own.
KIND_WORDS = {
    "avslag": ("avslå", "avslag"),
    "avslagsyrkande": ("avslå", "avslag"),
    "återremiss": ("återremitt", "återremiss"),
    "bordläggning": ("bordlägg", "bordlagt", "bordlades"),
}
_TODAY = re.compile(r"^(att )?(ärendet (ska )?avgör(s|as)|avgöra ärendet) i ?dag$")


@dataclass(frozen=True)
class Motion:
    person: Person
    kind: str
    text: str
    number: int = 0  # 1, 2, … when one person made several yrkanden of one kind; see numbered()


@dataclass(frozen=True)
class Outcome:
    """The result of a vote; ``side`` is None when a tie cannot be resolved."""

    side: str | None  # ja | nej
    yes: int
    no: int
    abstain: int
    casting: Person | None = None  # the chair whose vote decided a tie

    @property
    def tie(self) -> bool:
        return self.yes == self.no


@dataclass
class Vote:
    yes_means: str
    no_means: str
    votes: dict[str, str]  # name -> ja | nej | avstår
    lines: dict[str, int] = field(default_factory=dict)  # "ja", "nej", "röster", "röster.ja", ... -> line
    outcome: Outcome | None = None  # set by the checks
    sides: tuple[Option, Option] | None = None  # the propositions behind ja and nej, set by the checks

    def count(self, choice: str) -> int:
        return sum(1 for v in self.votes.values() if v == choice)

    def line(self, key: str, default: int | None = None) -> int | None:
        return self.lines.get(key, default)


@dataclass(frozen=True)
class Option:
    """One proposition the committee decides on."""

    kind: str  # PROPOSAL, MOTION or TODAY
    motion: Motion | None = None
    accepted: bool = True  # False: "avslag på" the motion

    @property
    def label(self) -> str:
        if self.kind == PROPOSAL:
            return PROPOSAL
        if self.kind == TODAY:
            return "att ärendet avgörs i dag"
        label = motion_label(self.motion)
        return label if self.accepted else f"avslag på {label}"


# ------------------------------------------------------------- naming


def possessive(name: str) -> str:
    return name if name.endswith(("s", "x", "z")) else name + "s"


def _noun(motion: Motion, kind: str | None = None) -> str:
    noun = KIND_NOUNS.get(motion.kind, motion.kind) if kind is None else kind
    return f"{noun} {motion.number}" if motion.number else noun


def motion_label(motion: Motion) -> str:
    """'Jörgen Perssons ändringsyrkande', as written in omröstning and beslut."""
    return f"{possessive(motion.person.name)} {_noun(motion)}"


def motion_reference(motion: Motion) -> str:
    """'Jörgen Perssons (S) ändringsyrkande', as printed in the protokoll."""
    party = f" ({motion.person.party})" if motion.person.party else ""
    return f"{possessive(motion.person.name)}{party} {_noun(motion)}"


def numbered(motions: list[Motion]) -> list[Motion]:
    """Several yrkanden of one kind by one person get numbers, so each has a name of its own."""
    def key(motion: Motion) -> tuple[str, str]:
        return motion.person.name, KIND_NOUNS.get(motion.kind, motion.kind)

    counts = Counter(key(m) for m in motions)
    seen: Counter = Counter()
    result = []
    for motion in motions:
        if counts[key(motion)] > 1:
            seen[key(motion)] += 1
            motion = replace(motion, number=seen[key(motion)])
        result.append(motion)
    return result


def propositions(motions: list[Motion]) -> list[Option]:
    """Förslaget till beslut and every yrkande that is a proposition of its own.

    A bifallsyrkande supports förslaget till beslut; it is not a proposition.
    """
    return [Option(PROPOSAL)] + [Option(MOTION, m) for m in motions if m.kind != "bifallsyrkande"]


def _norm(text: str) -> str:
    text = re.sub(r"\s*\([^)]*\)", "", text)  # "(S)" after a name
    return " ".join(text.casefold().split()).strip(" .:;!")


def _labels(motion: Motion, motions: list[Motion]) -> set[str]:
    names = {_norm(motion_label(motion)), _norm(f"{possessive(motion.person.name)} {_noun(motion, motion.kind)}")}
    if sum(1 for m in motions if m.person == motion.person) == 1:
        names.add(_norm(f"{possessive(motion.person.name)} yrkande"))
    return names


def resolve(text: str, motions: list[Motion], proposal_heading: str = "") -> Option | None:
    """The proposition a vote side or 'bifall till …' names, or None.

    Accepted: förslaget till beslut (or the committee's förslagsrubrik), a
    yrkande as 'Jörgen Perssons ändringsyrkande' (or 'Jörgen Perssons
    yrkande' when he made only one), 'avslag på' a yrkande, and 'ärendet
    avgörs i dag'; each optionally after 'bifall till'.
    """
    wanted = _norm(text)
    wanted = wanted.removeprefix(ADOPTED_MOTION + " ")
    accepted = not wanted.startswith("avslag på ")
    wanted = wanted.removeprefix("avslag på ")
    if _TODAY.match(wanted):
        return Option(TODAY) if accepted else None
    if wanted in {PROPOSAL, "förslaget", _norm(proposal_heading)} - {""}:
        return Option(PROPOSAL) if accepted else _single_rejection(motions)
    for motion in motions:
        if wanted in _labels(motion, motions):
            if motion.kind == "bifallsyrkande":
                return Option(PROPOSAL) if accepted else _single_rejection(motions)
            return Option(MOTION, motion, accepted)
    return None


def _single_rejection(motions: list[Motion]) -> Option | None:
    """'avslag på förslaget till beslut' is the one avslagsyrkande, if there is one."""
    rejections = [m for m in motions if m.kind in ("avslag", "avslagsyrkande")]
    return Option(MOTION, rejections[0]) if len(rejections) == 1 else None


def valid_names(motions: list[Motion]) -> str:
    """The propositions as the secretary may write them, for messages."""
    names = [f"'{o.label}'" for o in propositions(motions)]
    if any(m.kind in ("återremiss", "bordläggning") for m in motions):
        names.append("'ärendet avgörs i dag'")
    return ", ".join(names)


# ------------------------------------------------------------- outcome


def presiding(members: list[Person], serving: set[str]) -> Person | None:
    """Who chairs the item: the ordförande, else a vice ordförande, who serves at it."""
    for role in (CHAIR, *VICE_CHAIRS):
        chair = next((m for m in members if m.role == role and m.name in serving), None)
        if chair is not None:
            return chair
    return None


def outcome(vote: Vote, chair: Person | None) -> Outcome:
    """Majority of ja and nej; at a tie the chair's vote decides, if the chair voted."""
    yes, no, abstain = vote.count("ja"), vote.count("nej"), vote.count("avstår")
    if yes != no:
        return Outcome("ja" if yes > no else "nej", yes, no, abstain)
    chair_vote = vote.votes.get(chair.name) if chair else None
    if chair_vote in ("ja", "nej"):
        return Outcome(chair_vote, yes, no, abstain, casting=chair)
    return Outcome(None, yes, no, abstain)


def tie_problem(path: Path, where: str, number: int, vote: Vote, result: Outcome, chair: Person | None,
                line: int | None) -> Problem:
    """A tie nobody can break: the chair did not vote, or no chair serves."""
    score = f"{result.yes}–{result.no}"
    if chair is None:
        who = ("varken ordföranden eller en vice ordförande tjänstgör vid punkten, så ingen har utslagsröst "
               f"{CASTING_VOTE_LAW}")
    else:
        who = (f"ordföranden {chair.name} röstade inte ja eller nej. Vid lika röstetal avgör ordförandens röst "
               f"{CASTING_VOTE_LAW}, men bara när ordföranden har röstat")
    return Problem(
        path, f"omröstningen vid punkt {number} slutar lika, {score}, och {who}. Därför går det inte att avgöra "
              "vem som vann. Kontrollera rösterna: om ordföranden röstade ska hen stå under ja eller nej. (Lika "
              f"röstetal vid val avgörs genom lottning {ELECTION_TIE_LAW}; val och lottning kan inte skrivas i "
              "protokoll.yaml.)", field=where + ".omröstning.röster", line=vote.line("röster", line))


# ------------------------------------------------------------- agreement


def check_agreement(path: Path, decision: Decision, proposal_heading: str) -> list[Problem]:
    """The decision, the vote and a written propositionsordning tell the same story."""
    where = f"beslut.{decision.item.number}"
    if decision.keyword == ADOPTED_MOTION and decision.chosen is None:
        return []  # already reported: 'bifall till' names no proposition
    if decision.vote is None:
        return _finding_agrees(path, where, decision, proposal_heading)
    sides = decision.vote.sides = vote_sides(decision, proposal_heading)
    if sides is None:
        return _sides_problems(path, where, decision, proposal_heading)
    problems = _order_agrees_with_vote(path, where, decision, sides, proposal_heading)
    result = decision.vote.outcome
    if result is not None and result.side is not None:
        winner, loser = sides if result.side == "ja" else sides[::-1]
        conflict = _disagreement(decision, winner, loser)
        if conflict:
            story = _vote_story(decision.vote, winner)
            problems.append(Problem(
                path, f"beslutet stämmer inte med omröstningen: {conflict}, men {story}. {how_to_write(winner)}",
                field=where + ".beslut", line=decision.line_of("beslut")))
    return problems


def vote_sides(decision: Decision, heading: str) -> tuple[Option, Option] | None:
    """The propositions behind the vote's ja and nej, or None if they cannot be told apart."""
    vote = decision.vote
    yes = resolve(vote.yes_means, decision.motions, heading)
    no = resolve(vote.no_means, decision.motions, heading)
    if yes is None or no is None or yes == no:
        return None
    return yes, no


def _sides_problems(path: Path, where: str, decision: Decision, heading: str) -> list[Problem]:
    """Why the vote's ja and nej cannot be tied to the propositions."""
    vote = decision.vote
    problems = []
    known = valid_names(decision.motions)
    for side, text in (("ja", vote.yes_means), ("nej", vote.no_means)):
        if resolve(text, decision.motions, heading) is None:
            problems.append(Problem(
                path, f"omröstningens {side} ('{text}') går inte att koppla till förslaget till beslut eller något "
                      f"av yrkandena vid punkt {decision.item.number}. Skriv ett av: {known}; ett yrkande ska stå "
                      "under yrkanden.", field=f"{where}.omröstning.{side}", line=vote.line(side, decision.line)))
    if not problems:
        problems.append(Problem(
            path, f"omröstningens ja och nej står för samma förslag ('{vote.yes_means}'). Ja och nej ska vara de "
                  f"två förslag som ställdes mot varandra, till exempel {known}.", field=f"{where}.omröstning",
            line=vote.line("nej", decision.line)))
    return problems


def _disagreement(decision: Decision, winner: Option, loser: Option | None) -> str | None:
    """How the decision differs from the winning proposition, or None when it agrees."""
    decided = decision.chosen
    if decided is not None:
        beats_loser = loser is None or decided != loser
        if beats_loser and (winner.kind == TODAY or not winner.accepted or decided == winner):
            return None
        if decision.keyword == ADOPTED:
            return "beslutet är 'bifall', det vill säga att förslaget till beslut antas"
        return f"beslutet är 'bifall till {decided.label}'"
    text = decision.decision
    if loser is not None and loser.kind == MOTION and loser.accepted and _carries_out(text, loser.motion):
        return f"beslutets text återger {loser.label}"
    if winner.kind == MOTION and winner.accepted and not refers_to(text, winner.motion):
        return (f"beslutets text nämner varken lydelsen i {winner.label} eller "
                f"{winner.motion.person.name}")
    return None


def _vote_story(vote: Vote, winner: Option) -> str:
    result = vote.outcome
    won, lost = (result.yes, result.no) if result.side == "ja" else (result.no, result.yes)
    story = f"omröstningen vanns av {result.side}-sidan, {winner.label}, med {won} röster mot {lost}"
    if result.casting is not None:
        story += f" genom ordförandens utslagsröst ({result.casting.name})"
    return story


def how_to_write(winner: Option) -> str:
    """The fix, in the secretary's words."""
    if winner.kind == PROPOSAL or (winner.kind == MOTION and not winner.accepted):
        return "Skriv 'beslut: bifall' (förslaget till beslut antas) eller beslutets egen text."
    if winner.kind == TODAY:
        return "Skriv beslutet i sak, till exempel 'beslut: bifall'; ärendet återremitterades eller bordlades inte."
    example = _wording(winner.motion, keep_case=True)
    example = f", till exempel beslut: \"{example[0].upper() + example[1:]}.\"" if example else "."
    return f"Skriv 'beslut: bifall till {winner.label}' eller beslutets egen text enligt yrkandet{example}"


def _wording(motion: Motion, keep_case: bool = False) -> str:
    """The yrkande's own words without a leading 'att' and the full stop."""
    text = " ".join(motion.text.split()).strip(" .")
    text = re.sub(r"^att\s+", "", text, flags=re.I)
    return text if keep_case else text.casefold()


def _quotes(text: str, motion: Motion) -> bool:
    wording = _wording(motion)
    return len(wording) >= 10 and wording in " ".join(text.casefold().split())


def _carries_out(text: str, motion: Motion) -> bool:
    """Does a decision text do what this yrkande asked: its words, or an återremiss or bordläggning?"""
    flat = " ".join(text.casefold().split())
    acts = KIND_WORDS.get(motion.kind, ()) if motion.kind in ("återremiss", "bordläggning") else ()
    return _quotes(text, motion) or any(word in flat for word in acts)


def refers_to(text: str, motion: Motion) -> bool:
    """Does a decision text carry out this yrkande: its words, its maker's name, or (återremiss …) its act?"""
    flat = " ".join(text.casefold().split())
    if motion.person.name.casefold() in flat or _quotes(text, motion):
        return True
    return any(word in flat for word in KIND_WORDS.get(motion.kind, ()))


# ------------------------------------------------------ propositionsordning

_SIDE_IN_ORDER = re.compile(r"\b(ja|nej)-?röst(?:er|en)?\s+för\s+([^,.;]+)", re.I)
_FINDING = re.compile(r"finner\s+att\s+(?:\w+\s+)?(?:beslutar\s+(?:enligt|i\s+enlighet\s+med)|bifaller|antar)"
                      r"\s+([^,.;]+)", re.I)


def _order_agrees_with_vote(path: Path, where: str, decision: Decision, sides: tuple[Option, Option],
                            heading: str) -> list[Problem]:
    """A written propositionsordning gives ja and nej to the same propositions as the vote."""
    problems = []
    vote = decision.vote
    for match in _SIDE_IN_ORDER.finditer(decision.proposition_order):
        side, text = match.group(1).lower(), match.group(2).strip()
        expected, written = (sides[0], vote.yes_means) if side == "ja" else (sides[1], vote.no_means)
        if resolve(text, decision.motions, heading) != expected and _norm(text) != _norm(written):
            problems.append(Problem(
                path, f"propositionsordningen ger {side}-röst för '{text}', men omröstningen har {side}: "
                      f"'{written}'. Rätta den ena så att de stämmer, eller ta bort propositionsordning så skrivs "
                      "den utifrån omröstningen.", field=where + ".propositionsordning",
                line=decision.line_of("propositionsordning")))
    return problems


def _finding_agrees(path: Path, where: str, decision: Decision, heading: str) -> list[Problem]:
    """Without a vote, the chair's finding in a written propositionsordning is the decision."""
    match = _FINDING.search(decision.proposition_order)
    found = resolve(match.group(1), decision.motions, heading) if match else None
    conflict = _disagreement(decision, found, None) if found is not None else None
    if conflict is None:
        return []
    return [Problem(path, f"beslutet stämmer inte med propositionsordningen: {conflict}, men ordföranden finner att "
                          f"nämnden beslutar enligt {found.label}. {how_to_write(found)} Eller rätta "
                          "propositionsordningen.", field=where + ".beslut", line=decision.line_of("beslut"))]
