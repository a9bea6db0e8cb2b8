"""Sekretess (offentlighets- och sekretesslagen 2009:400): what may not be published, marked in the sources.

The secretary marks secret content at three levels, each with its ground (the
provision of OSL, e.g. "OSL 21 kap. 1 §"):

- a whole item: ``sekretess: OSL 21 kap. 1 §`` in the front matter of its
  tjänsteskrivelse (or arende.md) -> ``Case.secrecy``;
- one bilaga: ``sekretess: …`` on its entry under ``bilagor:`` -> ``Attachment.secrecy``;
- a passage of Markdown text, between the lines::

      ::: sekretess OSL 21 kap. 1 §
      Text som omfattas av sekretess.
      :::

The internal packet (for the members) shows everything, each secret part with
a sekretessmarkering. The public packet and the web site are made from the
same sources by ``public_view``: a secret passage is left out with one line
that says so, a secret item or bilaga keeps its title and dnr and says
"Handlingen omfattas av sekretess (OSL …)." The text never reaches a public
file, so nothing can be uncovered there.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from .model import Attachment, Case, Meeting, Section

OPENING = re.compile(r"^\s{0,3}:::\s*sekretess\b[ \t:]*(?P<ground>.*?)\s*$", re.IGNORECASE)
CLOSING = re.compile(r"^\s{0,3}:::\s*$")
OTHER_FENCE = re.compile(r"^\s{0,3}:::")
CODE_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
SECTION_HEADING = re.compile(r"^#{1,2}\s")
EXAMPLE = "::: sekretess OSL 21 kap. 1 §"
DESCRIPTION = "Ärendebeskrivning"


def removed_text(ground: str) -> str:
    """The line that stands in the public text where a secret passage was."""
    return f"Uppgifter som omfattas av sekretess enligt {ground} har tagits bort."


def secret_document_text(ground: str) -> str:
    """What a secret item or bilaga says in public, after its title and dnr."""
    return f"Handlingen omfattas av sekretess ({ground})."


def marking(ground: str) -> str:
    """The sekretessmarkering on secret content in the internal packet."""
    return f"Sekretess enligt {ground}"


def item_is_secret(case: Case | None) -> bool:
    return bool(case is not None and case.secrecy)


# ------------------------------------------------------------------ passages


@dataclass(frozen=True)
class Passage:
    ground: str
    first: int  # 0-based line of the opening ":::"
    last: int  # 0-based line of the closing ":::"


@dataclass(frozen=True)
class MarkingProblem:
    line: int  # 1-based, in the text given
    message: str  # Swedish, with the fix


def _scan(text: str) -> tuple[list[Passage], list[MarkingProblem]]:
    passages: list[Passage] = []
    problems: list[MarkingProblem] = []
    opened: tuple[int, str] | None = None
    in_code = False
    for number, line in enumerate(text.split("\n")):
        if CODE_FENCE.match(line):
            in_code = not in_code
        if in_code:
            continue
        opening = OPENING.match(line)
        if opening:
            if opened is not None:
                problems.append(MarkingProblem(number + 1, "en ny sekretessmarkering börjar innan den förra "
                                               f"(rad {opened[0] + 1}) är avslutad. Avsluta den förra med en rad ':::'."))
            ground = opening.group("ground")
            if not ground:
                problems.append(MarkingProblem(number + 1, "sekretessmarkeringen saknar grund. Skriv "
                                               f"bestämmelsen efter ordet sekretess, till exempel '{EXAMPLE}'."))
            opened = (number, ground)
        elif CLOSING.match(line) and opened is not None:
            passages.append(Passage(opened[1], opened[0], number))
            opened = None
        elif CLOSING.match(line) or OTHER_FENCE.match(line):
            problems.append(MarkingProblem(number + 1, "raden ':::' hör inte till någon sekretessmarkering. "
                                           f"En markering börjar med '{EXAMPLE}' och slutar med ':::'."))
        elif opened is not None and SECTION_HEADING.match(line):
            problems.append(MarkingProblem(number + 1, "en rubrik (# eller ##) kan inte stå inuti en "
                                           "sekretessmarkering. Avsluta markeringen före rubriken och "
                                           "markera texten under den för sig."))
    if opened is not None:
        problems.append(MarkingProblem(opened[0] + 1, "sekretessmarkeringen avslutas aldrig: all text efter den "
                                       "skulle räknas som hemlig. Skriv en rad med bara ':::' där den hemliga "
                                       "texten slutar."))
    return passages, problems


def passages(text: str) -> list[Passage]:
    return _scan(text)[0]


def check(text: str) -> list[MarkingProblem]:
    """What is wrong with the sekretess markings of a Markdown text; [] when nothing."""
    return _scan(text)[1]


def _replace_passages(text: str, replacement) -> str:
    lines = text.split("\n")
    for passage in reversed(passages(text)):
        inner = lines[passage.first + 1:passage.last]
        lines[passage.first:passage.last + 1] = ["", *replacement(passage.ground, inner), ""]
    return "\n".join(lines)


def public_markdown(text: str) -> str:
    """``text`` with every secret passage left out, one line saying so in its place."""
    return _replace_passages(text, lambda ground, inner: [removed_text(ground)])


def internal_markdown(text: str) -> str:
    """``text`` with every secret passage shown as a quotation headed by its sekretessmarkering."""
    return _replace_passages(text, lambda ground, inner: [_marking_line(ground), ">",
                                                          *(f"> {line}" if line.strip() else ">" for line in inner)])


def has_markings(meeting: Meeting) -> bool:
    """Whether anything of the meeting is marked secret (else its public packet is the packet itself)."""
    return any(passages(text) for text in _texts(meeting)) or any(
        item_is_secret(item.case) or any(a.secrecy for a in item.case.attachments) for item in meeting.cases)


def _texts(meeting: Meeting):
    for item in meeting.cases:
        case = item.case
        yield from (section.markdown for section in case.description)
        yield case.proposal
        yield from (section.markdown for section in case.after_proposal)
        yield case.basis
        yield from (a.markdown for a in case.attachments if a.kind == "md")


# ------------------------------------------------------------------ views


def internal_view(meeting: Meeting) -> Meeting:
    """The meeting as the members' packet shows it: all text, each secret part marked."""
    return _view(meeting, internal_markdown, _internal_case)


def public_view(meeting: Meeting) -> Meeting:
    """The meeting as it may be published: secret passages, items and bilagor left out."""
    return _view(meeting, public_markdown, _public_case)


def minutes_view(meeting: Meeting) -> Meeting:
    """The meeting as the protokoll (a public document) tells it: as ``public_view``, but a secret item keeps
    its Förslag till beslut, which is what ``beslut: bifall`` records as the decision (a decision is recorded
    in the protokoll; write the proposal of a secret item so that it can be made public)."""
    def case_view(case: Case) -> Case:
        return dataclasses.replace(_public_case(case), proposal=case.proposal)

    return _view(meeting, public_markdown, case_view)


def _view(meeting: Meeting, markdown, case_view) -> Meeting:
    agenda = [dataclasses.replace(item, case=case_view(_case_text(item.case, markdown)))
              if item.case is not None else item for item in meeting.agenda]
    return dataclasses.replace(meeting, agenda=agenda)


def _case_text(case: Case, markdown) -> Case:
    def sections(items):
        return [dataclasses.replace(section, markdown=markdown(section.markdown)) for section in items]

    attachments = [dataclasses.replace(a, markdown=markdown(a.markdown)) if a.kind == "md" else a
                   for a in case.attachments]
    return dataclasses.replace(case, description=sections(case.description), proposal=markdown(case.proposal),
                               after_proposal=sections(case.after_proposal), basis=markdown(case.basis),
                               attachments=attachments)


def _marking_line(ground: str) -> str:
    """The sekretessmarkering as the bold first line of a Markdown quotation."""
    return f"> **{marking(ground)}**"


def _marked(ground: str, markdown: str) -> str:
    return f"{_marking_line(ground)}\n\n{markdown}"


def _internal_case(case: Case) -> Case:
    """A secret item's sections each open with the marking; a secret bilaga's title carries it."""
    attachments = [_internal_attachment(a) for a in case.attachments]
    if not case.secrecy:
        return dataclasses.replace(case, attachments=attachments)
    description = [dataclasses.replace(section, markdown=_marked(case.secrecy, section.markdown))
                   for section in case.description]
    return dataclasses.replace(case, description=description, attachments=attachments)


def _internal_attachment(attachment: Attachment) -> Attachment:
    ground = attachment.secrecy
    if not ground:
        return attachment
    marked = dataclasses.replace(attachment, title=f"{attachment.title} (sekretess enligt {ground})")
    if attachment.kind == "md":
        marked = dataclasses.replace(marked, markdown=_marked(ground, attachment.markdown))
    return marked


def _public_case(case: Case) -> Case:
    """A secret item: title, dnr and who handles it stay; every text says only that it is secret."""
    attachments = [_public_attachment(a, case.secrecy or a.secrecy) for a in case.attachments]
    if not case.secrecy:
        return dataclasses.replace(case, attachments=attachments)
    notice = secret_document_text(case.secrecy)  # the view's documents hold nothing secret: no markings on them
    heading = case.description[0].heading if case.description else DESCRIPTION
    return dataclasses.replace(case, description=[Section(heading, notice)], proposal=notice if case.proposal else "",
                               after_proposal=[], attachments=attachments, secrecy="")


def _public_attachment(attachment: Attachment, ground: str) -> Attachment:
    """A secret bilaga becomes a one-page Markdown bilaga under the same title that says it is secret."""
    if not ground:
        return attachment
    return dataclasses.replace(attachment, kind="md", heading="", markdown=secret_document_text(ground), secrecy="")
