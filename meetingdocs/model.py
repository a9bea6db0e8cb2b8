"""The meeting as the rest of the program sees it, after validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

CHAIR = "ordförande"
VICE_CHAIRS = ("vice ordförande", "andre vice ordförande")


@dataclass(frozen=True)
class Person:
    name: str
    party: str = ""
    email: str = ""
    role: str = ""  # ordförande, vice ordförande, ... (only for ledamöter)
    title: str = ""  # for övriga: Nämndsekreterare, Regiondirektör ...

    def with_party(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


@dataclass(frozen=True)
class Contact:
    name: str
    unit: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str = ""


@dataclass
class Committee:
    key: str  # file stem in sources/namnder/
    name: str
    short_name: str
    organisation: str
    proposal_heading: str
    secretary: Contact
    signatories: list[Signatory]
    members: list[Person]  # ledamöter, chair included
    deputies: list[Person]  # ersättare
    source: Path
    address_book: dict[str, list[str]] = field(default_factory=dict)  # "Expedieras till" name -> e-mail
    minutes_kept_at: str = ""  # där protokollet förvaras
    # What kind of body this is and how it writes (issue 8, item 5):
    body_noun: str = "nämnden"  # definite form used in texts and messages: "samverkansrådet", "beredningen"
    quorum_applies: bool = True  # KL 6 kap. 28 §: a nämnd decides only with more than half present
    appeal: str | None = None  # överklagandehänvisning: None = laglighetsprövning (KL 13 kap.), "" = none
    member_heading: str = "Ledamöter"  # roster headings on the kallelse
    deputy_heading: str = "Ersättare"
    # Where each ledamot and ersättare of this date stands in the committee file: (field, line),
    # e.g. ("mandatperioder[1].ledamöter[3]", 42), for messages about them.
    locations: dict[Person, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def chair(self) -> Person | None:
        return next((m for m in self.members if m.role == CHAIR), None)

    def members_except_chair(self) -> list[Person]:
        return [m for m in self.members if m.role != CHAIR]


@dataclass(frozen=True)
class Attachment:
    number: int  # 1-based within its case
    title: str
    path: Path
    kind: str  # "pdf", "docx" or "md"
    heading: str = ""  # a Markdown bilaga's own rubrik, from its front matter
    markdown: str = ""  # a Markdown bilaga's body
    secrecy: str = ""  # the OSL ground when the bilaga is secret ("" = public); see secrecy.py


@dataclass(frozen=True)
class Section:
    heading: str
    markdown: str


@dataclass
class Case:
    """An ärende written in its own file: with a tjänsteskrivelse and its
    bilagor, or (``has_report`` False) only its text in the kallelse and
    perhaps bilagor."""

    key: str  # name used in the agenda (file stem or folder name)
    source: Path  # the tjänsteskrivelse Markdown file
    title: str
    dnr: str  # "" when the item has none
    date: dt.date | None  # the tjänsteskrivelse's date; None without one
    presenter: str
    time: str
    dispatch: list[str]  # expedieras till
    attachments: list[Attachment]
    officers: list[Contact]  # handläggare, one or more (none without a tjänsteskrivelse)
    signatories: list[Signatory]  # "I tjänsten"; [] = none
    description: list[Section]  # all sections before the proposal
    proposal: str  # Markdown of "Förslag till beslut"; "" when the item has none
    after_proposal: list[Section] = field(default_factory=list)
    has_report: bool = True  # False: no tjänsteskrivelse is generated
    proposal_heading: str = ""  # the proposal's heading in the tjänsteskrivelse (the committee's by default)
    basis: str = ""  # a hand-written "## Beslutsunderlag" (Markdown): replaces the generated list
    secrecy: str = ""  # the OSL ground when the whole item is secret ("" = public); see secrecy.py

    def decision_basis(self) -> list[str]:
        """The generated Beslutsunderlag list: the tjänsteskrivelse (if any), then every bilaga."""
        report = [f"Tjänsteskrivelse – {self.title}"] if self.has_report else []
        return report + [a.title for a in self.attachments]


@dataclass
class AgendaItem:
    number: int | None  # None for an unnumbered line (a break)
    title: str
    kind: str  # "case", "standard", "point" (numbered, no decision) or "break" (unnumbered)
    presenter: str = ""
    time: str = ""
    case: Case | None = None

    @property
    def heading(self) -> str:
        """The item as printed: title with dnr for a case that has one."""
        if self.case is not None and self.case.dnr:
            return f"{self.title} ({self.case.dnr})"
        return self.title


@dataclass
class Meeting:
    id: str  # folder name in sources/, also the folder name in packets/
    folder: Path
    date: dt.date
    time: str
    place: str
    others: list[Person]  # övriga
    extra_recipients: list[Person]
    committee: Committee
    agenda: list[AgendaItem]

    @property
    def cases(self) -> list[AgendaItem]:
        return [item for item in self.agenda if item.case is not None]
