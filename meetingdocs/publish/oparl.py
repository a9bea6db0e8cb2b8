"""Open data: each meeting as JSON in the shapes of OParl 1.1.

OParl (https://oparl.org, version 1.1) is the German standard for council
information systems; its object types fit a Swedish nämnd as they are:
Organization (the nämnd), Person (its ledamöter and ersättare), Meeting (a
sammanträde), AgendaItem (a punkt on the föredragningslista), Paper (an
ärende, with its dnr as ``reference``), Consultation (the ärende's handling at
the meeting) and File (a PDF on the site).

Ids are addresses relative to the site's root (``gns/2020-12-11/mote.json``),
since the site does not know where it will be uploaded; a reader resolves
them against the address of the site. What is secret never appears: a
secret item has only its title and dnr and the text "Handlingen omfattas av
sekretess (OSL …)", a secret bilaga only its title with that text, and every
text has passed :func:`meetingdocs.secrecy.public_markdown`.

Files of the site:

* ``NÄMND/organisation.json`` — Organization;
* ``NÄMND/personer.json`` — {"data": [Person …]} (names and roles only: no e-mail, no telephone);
* ``NÄMND/moten.json`` — {"data": [Meeting …]}, the Organization's ``meeting`` list;
* ``NÄMND/DATUM/mote.json`` — Meeting, with its AgendaItems and Files embedded;
* ``NÄMND/DATUM/arenden.json`` — {"data": [Paper …]}, with their Consultations.

:data:`SHAPES` states the keys and value types used of each type; :func:`problems`
checks an object (and the objects inside it) against them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .. import secrecy
from ..model import AgendaItem, Committee, Person
from .content import MeetingSite, PublicFile
from .markup import plain_text

SCHEMA = "https://schema.oparl.org/1.1/"
TIME_ZONE = ZoneInfo("Europe/Stockholm")
ORGANIZATION_FILE = "organisation.json"
PERSONS_FILE = "personer.json"
MEETINGS_FILE = "moten.json"
MEETING_FILE = "mote.json"
PAPERS_FILE = "arenden.json"
# meetingState as OParl 1.1 recommends: planned, invited (until the protokoll is released), held.
PLANNED, INVITED, HELD = "terminiert", "eingeladen", "durchgeführt"

URL, DATE, DATE_TIME = "url", "date", "date-time"
STRING, BOOLEAN, INTEGER = "string", "boolean", "integer"
# type -> (required keys, {key: value type}); a list value type is an array of it, a type name in capitals an
# embedded object of that type.
SHAPES: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "Organization": (("id", "type"), {
        "id": URL, "type": STRING, "name": STRING, "shortName": STRING, "organizationType": STRING,
        "classification": STRING, "meeting": URL, "membership": [URL], "web": URL}),
    "Person": (("id", "type"), {
        "id": URL, "type": STRING, "name": STRING, "membership": ["Membership"]}),
    "Membership": (("id", "type"), {
        "id": URL, "type": STRING, "person": URL, "organization": URL, "role": STRING, "votingRight": BOOLEAN,
        "startDate": DATE, "endDate": DATE}),
    "Meeting": (("id", "type"), {
        "id": URL, "type": STRING, "name": STRING, "meetingState": STRING, "cancelled": BOOLEAN,
        "start": DATE_TIME, "end": DATE_TIME, "location": "Location", "organization": [URL],
        "participant": [URL], "invitation": "File", "resultsProtocol": "File", "auxiliaryFile": ["File"],
        "agendaItem": ["AgendaItem"], "web": URL}),
    "Location": (("id", "type"), {"id": URL, "type": STRING, "description": STRING}),
    "AgendaItem": (("id", "type", "order"), {
        "id": URL, "type": STRING, "meeting": URL, "number": STRING, "order": INTEGER, "name": STRING,
        "public": BOOLEAN, "consultation": URL, "result": STRING, "resolutionText": STRING,
        "resolutionFile": "File", "auxiliaryFile": ["File"], "start": DATE_TIME, "web": URL}),
    "Paper": (("id", "type"), {
        "id": URL, "type": STRING, "body": URL, "name": STRING, "reference": STRING, "date": DATE,
        "paperType": STRING, "mainFile": "File", "auxiliaryFile": ["File"], "underDirectionOf": [URL],
        "consultation": ["Consultation"], "web": URL}),
    "Consultation": (("id", "type"), {
        "id": URL, "type": STRING, "paper": URL, "agendaItem": URL, "meeting": URL, "organization": [URL],
        "authoritative": BOOLEAN, "role": STRING}),
    "File": (("id", "type", "accessUrl"), {
        "id": URL, "type": STRING, "name": STRING, "fileName": STRING, "mimeType": STRING, "size": INTEGER,
        "text": STRING, "accessUrl": URL, "meeting": [URL], "agendaItem": [URL], "paper": [URL]}),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")


def oparl_type(name: str) -> str:
    return SCHEMA + name


# ------------------------------------------------------------------ checking


def problems(obj: Any, expected: str | None = None, where: str = "") -> list[str]:
    """What is wrong with ``obj`` as an OParl object of the shapes above; [] when nothing."""
    if not isinstance(obj, dict):
        return [f"{where or 'objektet'}: är inget objekt"]
    name = str(obj.get("type", "")).removeprefix(SCHEMA)
    where = where or f"{name} {obj.get('id', '')}"
    if name not in SHAPES or (expected and name != expected):
        return [f"{where}: type {obj.get('type')!r}, väntade {SCHEMA}{expected or '…'}"]
    required, keys = SHAPES[name]
    found = [f"{where}: {key} saknas" for key in required if key not in obj]
    for key, value in obj.items():
        if key not in keys:
            found.append(f"{where}: {key} hör inte till {name}")
        else:
            found += _value_problems(value, keys[key], f"{where}.{key}")
    return found


def _value_problems(value: Any, kind: Any, where: str) -> list[str]:
    if value is None or value == [] or value == "":
        return [f"{where}: tomt värde (OParl: utelämna egenskapen i stället)"]
    if isinstance(kind, list):
        if not isinstance(value, list):
            return [f"{where}: ska vara en lista"]
        return [p for i, item in enumerate(value) for p in _value_problems(item, kind[0], f"{where}[{i}]")]
    if kind[0].isupper():
        return problems(value, kind, where)
    checks = {
        STRING: lambda v: isinstance(v, str),
        URL: lambda v: isinstance(v, str) and not any(c.isspace() for c in v),
        DATE: lambda v: isinstance(v, str) and bool(_DATE.match(v)),
        DATE_TIME: lambda v: isinstance(v, str) and bool(_DATE_TIME.match(v)),
        BOOLEAN: lambda v: isinstance(v, bool),
        INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    }
    return [] if checks[kind](value) else [f"{where}: {value!r} är inte av typen {kind}"]


def _compact(obj: dict) -> dict:
    """OParl leaves out a property without data (no null, no empty list or text)."""
    return {k: v for k, v in obj.items() if v is not None and v != [] and v != ""}


# ------------------------------------------------------------------ ids


@dataclass(frozen=True)
class Ids:
    """The site-relative addresses of one committee's objects."""

    committee: Committee

    @property
    def folder(self) -> str:
        return f"{self.committee.key}/"

    @property
    def organization(self) -> str:
        return self.folder + ORGANIZATION_FILE

    @property
    def meetings(self) -> str:
        return self.folder + MEETINGS_FILE

    def person(self, person: Person) -> str:
        return f"{self.folder}{PERSONS_FILE}#{_slug(person.name)}"

    def meeting(self, site: MeetingSite) -> str:
        return site.folder + MEETING_FILE

    def item(self, site: MeetingSite, item: AgendaItem, order: int) -> str:
        return f"{self.meeting(site)}#punkt-{item.number if item.number is not None else f'paus-{order}'}"

    def paper(self, site: MeetingSite, item: AgendaItem) -> str:
        return f"{site.folder}{PAPERS_FILE}#arende-{item.number}"


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-")


# ------------------------------------------------------------------ objects


def organization(committee: Committee) -> dict:
    ids = Ids(committee)
    return _compact({
        "id": ids.organization, "type": oparl_type("Organization"), "name": committee.name,
        "shortName": committee.short_name, "organizationType": "Gremium", "classification": "Nämnd",
        "meeting": ids.meetings, "web": ids.folder + "index.html",
    })


def persons(committees: list[Committee]) -> dict:
    """Everyone who sat on the committee at one of its meetings on the site: name and role only."""
    ids = Ids(committees[0])
    roles: dict[str, tuple[Person, set[str]]] = {}
    for committee in committees:
        for person, role in [(m, m.role or "ledamot") for m in committee.members] + \
                            [(d, "ersättare") for d in committee.deputies]:
            roles.setdefault(person.name, (person, set()))[1].add(role)
    data = []
    for name, (person, found) in sorted(roles.items()):
        person_id = ids.person(person)
        memberships = [_compact({"id": f"{person_id}-{_slug(role)}", "type": oparl_type("Membership"),
                                 "person": person_id, "organization": ids.organization, "role": role,
                                 "votingRight": role != "ersättare"}) for role in sorted(found)]
        data.append(_compact({"id": person_id, "type": oparl_type("Person"), "name": name,
                              "membership": memberships}))
    return {"data": data}


def meeting_object(site: MeetingSite, today: dt.date) -> dict:
    meeting = site.meeting
    ids = Ids(meeting.committee)
    meeting_id = ids.meeting(site)
    start, end = _times(meeting.date, meeting.time)
    committee = meeting.committee
    return _compact({
        "id": meeting_id, "type": oparl_type("Meeting"),
        "name": f"{committee.name}, sammanträde {meeting.date.isoformat()}",
        "meetingState": _state(site, today), "cancelled": False, "start": start, "end": end,
        "location": {"id": f"{meeting_id}#plats", "type": oparl_type("Location"), "description": meeting.place},
        "organization": [ids.organization],
        "participant": [ids.person(p) for p in committee.members + committee.deputies],
        "invitation": _file(site.packet, site, meeting_id=meeting_id) if site.packet else None,
        "resultsProtocol": _file(site.protokoll, site, meeting_id=meeting_id) if site.protokoll else None,
        "auxiliaryFile": [_file(f, site, meeting_id=meeting_id) for f in site.notices.values()],
        "agendaItem": [_agenda_item(site, item, order) for order, item in enumerate(meeting.agenda)],
        "web": site.folder + "index.html",
    })


def papers(site: MeetingSite) -> dict:
    """The meeting's ärenden (items with a case) as Paper, each with its Consultation at the meeting."""
    ids = Ids(site.meeting.committee)
    data = []
    for order, item in enumerate(site.meeting.agenda):
        if item.case is None:
            continue
        case = item.case
        paper_id = ids.paper(site, item)
        files = _document_files(site, item, paper_id=paper_id)
        report = files.pop(0) if case.has_report and files else None
        data.append(_compact({
            "id": paper_id, "type": oparl_type("Paper"), "body": ids.organization, "name": case.title,
            "reference": case.dnr, "date": case.date.isoformat() if case.date else None,
            "paperType": "Tjänsteskrivelse" if case.has_report else "Ärende",
            "mainFile": report, "auxiliaryFile": files, "underDirectionOf": [ids.organization],
            "consultation": [_compact({
                "id": f"{paper_id}-behandling", "type": oparl_type("Consultation"), "paper": paper_id,
                "agendaItem": ids.item(site, item, order), "meeting": ids.meeting(site),
                "organization": [ids.organization], "authoritative": True,
                "role": "Beslut" if item.kind == "case" else "Information"})],
            "web": f"{site.folder}index.html#punkt-{item.number}",
        }))
    return {"data": data}


def meetings_list(meetings: list[dict]) -> dict:
    return {"data": meetings}


def _state(site: MeetingSite, today: dt.date) -> str:
    if site.adjusted:
        return HELD
    return PLANNED if site.meeting.date >= today and site.packet is None else INVITED


def _times(day: dt.date, written: str) -> tuple[str | None, str | None]:
    """'09:00-12:00' -> start and end as date-time with the Swedish offset of that day."""
    found = _TIME.findall(written or "")
    stamps = [dt.datetime(day.year, day.month, day.day, int(h), int(m), tzinfo=TIME_ZONE).isoformat()
              for h, m in found[:2] if int(h) < 24 and int(m) < 60]
    return (stamps[0] if stamps else None), (stamps[1] if len(stamps) > 1 else None)


def _agenda_item(site: MeetingSite, item: AgendaItem, order: int) -> dict:
    ids = Ids(site.meeting.committee)
    item_id = ids.item(site, item, order)
    case = item.case
    decision = _decision(site, item)
    extract = site.extracts.get(decision.paragraph) if decision is not None else None
    return _compact({
        "id": item_id, "type": oparl_type("AgendaItem"), "meeting": ids.meeting(site),
        "number": str(item.number) if item.number is not None else None, "order": order,
        "name": item.heading if item.kind != "break" else " ".join(x for x in ("Paus", item.time) if x),
        "public": not site.item_secrecy(item),
        "consultation": f"{ids.paper(site, item)}-behandling" if case is not None else None,
        "result": f"§ {decision.paragraph}" if decision is not None else None,
        "resolutionText": plain_text(decision.decision) if decision is not None else None,
        "resolutionFile": _file(extract, site, item_id=item_id) if extract is not None else None,
        "auxiliaryFile": _document_files(site, item, item_id=item_id) if case is not None else [],
        "web": f"{site.folder}index.html#punkt-{item.number}" if item.number is not None else None,
    })


def _decision(site: MeetingSite, item: AgendaItem):
    """The § of ``item`` once the protokoll is justerat (a decision is public when the protokoll is)."""
    if not site.adjusted or item.number is None:
        return None
    return next((d for d in site.record.decisions if d.item.number == item.number), None)


def _file(public: PublicFile, site: MeetingSite, *, meeting_id: str = "", item_id: str = "") -> dict:
    url = site.folder + public.name
    return _compact({
        "id": url, "type": oparl_type("File"), "name": public.title, "fileName": public.name,
        "mimeType": "application/pdf", "size": public.size, "accessUrl": url,
        "meeting": [meeting_id] if meeting_id else [], "agendaItem": [item_id] if item_id else [],
    })


def _document_files(site: MeetingSite, item: AgendaItem, *, item_id: str = "", paper_id: str = "") -> list[dict]:
    """The item's documents as Files, each the page of the public packet where it starts. A secret item has
    none (its title and dnr are all that is public); a secret bilaga has its title and the sekretess text, and
    its page in the packet says only that."""
    if site.packet is None or site.item_secrecy(item):
        return []
    files = []
    for number, document in enumerate(site.item_documents(item)):
        url = f"{site.folder}{site.packet.name}#page={document.page}" if document.page else \
            site.folder + site.packet.name
        files.append(_compact({
            "id": f"{site.folder}{PAPERS_FILE}#dokument-{item.number}-{number + 1}",
            "type": oparl_type("File"), "name": document.title, "fileName": site.packet.name,
            "mimeType": "application/pdf", "accessUrl": url,
            "text": secrecy.secret_document_text(document.secrecy) if document.secrecy else None,
            "agendaItem": [item_id] if item_id else [], "paper": [paper_id] if paper_id else [],
        }))
    return files
