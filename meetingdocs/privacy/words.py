"""Words that suggest sensitive personal data: the guard's word list.

A word from this list is only a reason to look: the guard warns, names the
place and asks the secretary to check that the text does not tell something
sensitive about a person who can be identified. Committee papers speak of
health care, social services and politics all the time, so the list holds
words that mostly appear when a text is about one person, and leaves out the
words of general policy ("hälsa", "sjukvård", "missbruksvård",
"funktionsnedsättning", "politiska partier", "fackliga organisationer").

How an entry is written: a whole word ("LVU"); ``*`` at the end for any
ending ("sjukskriv*": sjukskriven, sjukskrivning, sjukskrivningar); ``*`` at
the start also for compounds ("*sjukskriv*": långtidssjukskriven); several
words for a phrase, with any white space between them ("sexuell läggning").
Upper and lower case are the same.

The entries and why each is here:

- Health (GDPR art. 9; OSL 25 kap. for health care, 39 kap. 3 § for
  personnel matters): "*sjukskriv*", "*sjukfrånvar*", "sjukledig*",
  "läkarintyg*", "hälsotillstånd*" and the forms of diagnos: "diagnos",
  "diagnosen", "diagnoser", "diagnoserna", "diagnostiserad*",
  "diagnosticerad*" (but not "diagnostik", a word of health-care
  administration).
  Sick leave is the example from issue 10: a remark that someone is
  sjukskriven went into a kallelse unnoticed. "sjukfrånvaro" also appears in
  statistics for a whole förvaltning; that is harmless and the warning only
  asks for a look.
- Substance abuse (health, GDPR art. 9; social services, OSL 26 kap.):
  "missbruk", "missbruket", "missbrukar*" (missbrukare), but not
  "missbruksvård", a service's name.
- Ethnic origin (GDPR art. 9): "etnisk*", "etnicitet*".
- Religious or philosophical beliefs (GDPR art. 9): "religion",
  "religionen", "religiös*", "trosuppfattning*", "livsåskådning*".
- Sex life or sexual orientation (GDPR art. 9): "sexuell läggning",
  "sexuella läggning", "sexualliv*".
- Trade-union membership (GDPR art. 9): "fackligt medlemskap",
  "fackmedlem*", "medlem i facket".
- Political opinions of a person (GDPR art. 9): "politisk åskådning",
  "politiska åskådning", "politisk uppfattning", "politiska uppfattning".
  The party of an elected member is public and not matched.
- Offences (GDPR art. 10; OSL 35 kap.): "lagöverträdelse*",
  "brottsmisstank*", "belastningsregist*", "dömd", "dömdes".
- Social services and compulsory care (OSL 26 kap.; health, GDPR art. 9):
  "omhändertag*", "orosanmäl*", "LVU", "LVM", "LPT", "LRV".
  "omhändertagande" also means taking care of storm water or waste; the
  warning then only asks for a look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class SensitiveTerm:
    """Words of one kind of sensitive data."""

    words: tuple[str, ...]  # as described in the module docstring
    concerns: str  # Swedish, in the warning: "ordet … kan vara en uppgift om {concerns}"
    law: str  # Swedish: where the rule is

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile("|".join(_word_pattern(word) for word in self.words), re.IGNORECASE)


SENSITIVE_TERMS: tuple[SensitiveTerm, ...] = (
    SensitiveTerm(("*sjukskriv*", "*sjukfrånvar*", "sjukledig*", "läkarintyg*", "hälsotillstånd*", "diagnos",
                   "diagnosen", "diagnoser", "diagnoserna", "diagnostiserad*", "diagnosticerad*"),
                  "hälsa", "dataskyddsförordningen art. 9; OSL 25 kap. och 39 kap. 3 §"),
    SensitiveTerm(("missbruk", "missbruket", "missbrukar*"),
                  "missbruk", "dataskyddsförordningen art. 9; OSL 26 kap."),
    SensitiveTerm(("etnisk*", "etnicitet*"),
                  "etniskt ursprung", "dataskyddsförordningen art. 9"),
    SensitiveTerm(("religion", "religionen", "religiös*", "trosuppfattning*", "livsåskådning*"),
                  "religiös eller filosofisk övertygelse", "dataskyddsförordningen art. 9"),
    SensitiveTerm(("sexuell läggning", "sexuella läggning", "sexualliv*"),
                  "sexualliv eller sexuell läggning", "dataskyddsförordningen art. 9"),
    SensitiveTerm(("fackligt medlemskap", "fackmedlem*", "medlem i facket"),
                  "medlemskap i fackförening", "dataskyddsförordningen art. 9"),
    SensitiveTerm(("politisk åskådning", "politiska åskådning", "politisk uppfattning", "politiska uppfattning"),
                  "politiska åsikter", "dataskyddsförordningen art. 9"),
    SensitiveTerm(("lagöverträdelse*", "brottsmisstank*", "belastningsregist*", "dömd", "dömdes"),
                  "lagöverträdelser", "dataskyddsförordningen art. 10; OSL 35 kap."),
    SensitiveTerm(("omhändertag*", "orosanmäl*", "LVU", "LVM", "LPT", "LRV"),
                  "socialtjänst eller tvångsvård", "OSL 26 kap.; dataskyddsförordningen art. 9"),
)


@dataclass(frozen=True)
class WordMatch:
    start: int
    end: int
    text: str  # as written
    term: SensitiveTerm


def find_sensitive_words(text: str, terms: tuple[SensitiveTerm, ...] = SENSITIVE_TERMS) -> list[WordMatch]:
    """Every word of ``terms`` in ``text``, in order."""
    found = [WordMatch(m.start(), m.end(), m.group(), term) for term in terms for m in term.pattern.finditer(text)]
    return sorted(found, key=lambda match: match.start)


def _word_pattern(word: str) -> str:
    """'*sjukskriv*' -> a whole word with any beginning and ending; 'sexuell läggning' -> a phrase."""
    prefix = r"\w*" if word.startswith("*") else ""
    suffix = r"\w*" if word.endswith("*") else ""
    phrase = r"\s+".join(re.escape(part) for part in word.strip("*").split())
    return rf"(?<!\w){prefix}{phrase}{suffix}(?!\w)"
