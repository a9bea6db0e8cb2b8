"""Standard agenda items, recognised by what their title says.

Every meeting opens with the same two items, spelled a little differently
from one secretary to the next: "Fastställande av föredragningslista",
"Fastställande av föredragningslistan", "Godkännande av dagordningen",
"Val av justerare", "Val av justerare och tid för justering", "Val av
protokollsjusterare" ... A title is read as words, definite and indefinite
forms alike; it is a standard item when every word belongs to the item's
vocabulary and its key noun is there. Anything more ("Fastställande av
föredragningslista och anmälan av övriga frågor") is not a standard item:
its decision is written out in protokoll.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGENDA = "agenda"  # fastställande av föredragningslistan
ADJUSTERS = "adjusters"  # val av justerare (och tid för justering)

# The agenda itself: the noun as the decision names it (definite form).
AGENDA_NOUNS = {
    "föredragningslista": "Föredragningslistan",
    "dagordning": "Dagordningen",
    "ärendelista": "Ärendelistan",
}
# What is done to it; the decision uses the same verb. No verb: fastställs.
AGENDA_VERBS = {
    "fastställande": "fastställs",
    "fastställa": "fastställs",
    "fastställelse": "fastställs",
    "godkännande": "godkänns",
    "godkänna": "godkänns",
    "antagande": "antas",
    "anta": "antas",
}
AGENDA_FILLERS = {"av", "och", "den", "dagens", "sammanträdets", "mötets"}

ADJUSTER_NOUNS = {"justerare", "justerarna", "protokollsjusterare", "protokollsjusterarna", "justerande",
                  "justeringsperson", "justeringspersoner", "justeringsman", "justeringsmän"}
ADJUSTER_WORDS = {
    "val", "välja", "utse", "utseende", "utses", "av", "att", "en", "ett", "två", "tre", "och", "samt", "tid",
    "tidpunkt", "plats", "datum", "dag", "för", "om", "justering", "justera", "protokoll", "dagens",
    "sammanträdets", "mötets", "jämte", "ordförande",
}
# Nouns whose definite or genitive forms mean the same here.
_STEMS = ("föredragningslista", "dagordning", "ärendelista", "justering", "protokoll", "ordförande",
          "justerare", "protokollsjusterare")


@dataclass(frozen=True)
class StandardItem:
    kind: str  # AGENDA or ADJUSTERS
    decision: str = ""  # AGENDA: "Föredragningslistan fastställs."; ADJUSTERS: filled in from the record


def words(title: str) -> list[str]:
    """The title's words, lower case, each in its base form: 'Föredragningslistan' -> 'föredragningslista'."""
    return [_base(word) for word in re.findall(r"[^\W\d_]+", title.lower())]


def _base(word: str) -> str:
    for stem in _STEMS:
        base = stem[:-1] if stem.endswith("a") else stem  # lista -> listan, listans
        if word == stem or (word.startswith(base) and word[len(base):] in ("an", "ans", "en", "ens", "n", "ns", "s",
                                                                              "et", "ets", "na", "nas")):
            return stem
    return word


def recognise(title: str) -> StandardItem | None:
    """The standard item ``title`` names, or None for any other item."""
    found = words(title)
    if not found:
        return None
    agenda = _agenda(found)
    if agenda is not None:
        return agenda
    if any(w in ADJUSTER_NOUNS for w in found) and all(w in ADJUSTER_NOUNS | ADJUSTER_WORDS for w in found):
        return StandardItem(ADJUSTERS)
    return None


def _agenda(found: list[str]) -> StandardItem | None:
    nouns = [w for w in found if w in AGENDA_NOUNS]
    verbs = [w for w in found if w in AGENDA_VERBS]
    rest = [w for w in found if w not in AGENDA_NOUNS and w not in AGENDA_VERBS and w not in AGENDA_FILLERS]
    if len(nouns) != 1 or len(verbs) > 1 or rest:
        return None
    verb = AGENDA_VERBS[verbs[0]] if verbs else "fastställs"
    return StandardItem(AGENDA, f"{AGENDA_NOUNS[nouns[0]]} {verb}.")
