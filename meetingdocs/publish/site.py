"""``build.py publish``: the public web site in public/, all of it or nothing.

Phases: build the packet (internal and public) and, once justerat, the
protokoll of the meetings asked for (every meeting, or the one DATUM; none
with ``--befintliga``); read every meeting's public view; write the whole
site into a work folder; check it (the OParl shapes, and no personnummer in
any page, JSON or feed); then move it into place with
:func:`meetingdocs.buildkit.publish`, every entry or none. The previous site
stays as it was if anything fails.

The layout (stable: the e-mail ``länk:`` may point into it)::

    index.html                       start page: the committees, the anslagstavla, open data
    stil.css
    anslagstavla/index.html          the anslagstavla on --idag
    anslagstavla/flode.xml           its Atom feed
    NÄMND/index.html                 a committee: coming and past meetings
    NÄMND/organisation.json, personer.json, moten.json
    NÄMND/MÖTE/index.html            a meeting: tid, plats, the agenda, the documents
    NÄMND/MÖTE/kallelse.pdf          the public packet (packets/MÖTE/publik/kallelse.pdf)
    NÄMND/MÖTE/protokoll.html        the protokoll as a page, once justerat
    NÄMND/MÖTE/protokoll.pdf, anslagsbevis*.pdf, protokollsutdrag-N.pdf
    NÄMND/MÖTE/mote.json, arenden.json
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import secrecy
from ..buildkit import publish, work_folder
from ..errors import BadArgsError, OutputInvalidError, Problem, SourceError, display_path
from ..model import Committee
from ..privacy import find_personal_numbers, minutes_files, packet_files, scan_file, scan_files
from ..sources import find_meeting, list_meetings, load_meeting
from . import content, feed, noticeboard, oparl, pages
from .content import MeetingSite
from .markup import Images

log = logging.getLogger(__name__)

WORK_NAME = "webbplats"
TEXT_SUFFIXES = (".html", ".json", ".xml")


class SiteSourceError(SourceError):
    footer = "Webbplatsen har inte ändrats."


@dataclass(frozen=True)
class SiteResult:
    index: Path  # public/index.html
    meetings: int
    board: noticeboard.Board


def build_site(sources: Path, packets: Path, web_root: Path, *, date: str = "", today: dt.date | None = None,
               existing: bool = False) -> SiteResult:
    today = today or dt.date.today()
    meeting_ids = list_meetings(sources)
    if not meeting_ids:
        raise BadArgsError(f"Det finns inga sammanträden i {display_path(sources)}/ att publicera.")
    built = meetings_to_build(sources, meeting_ids, date, existing)
    for meeting_id in built:
        build_meeting_files(sources, meeting_id, packets)
    log.info("Sätter upp webbplatsen (%d sammanträden, anslagstavlan %s)", len(meeting_ids), today.isoformat())
    sites = [content.read_meeting(sources, sources / m, packets, built=m in built) for m in meeting_ids]
    board = noticeboard.board(sites, today)
    with work_folder(web_root, WORK_NAME) as work:
        staged = work / "ut"
        write_site(staged, sites, board, today)
        refuse_personal_numbers(staged, sites)
        entries = {path.name: path for path in sorted(staged.iterdir())}
        obsolete = tuple(p.name for p in web_root.iterdir() if not p.name.startswith(".") and p.name not in entries)
        publish(web_root, entries, obsolete)
    log.info("Klart: %s", display_path(web_root / "index.html"))
    return SiteResult(web_root / "index.html", len(sites), board)


def meetings_to_build(sources: Path, meeting_ids: list[str], date: str, existing: bool) -> list[str]:
    """The meetings whose packet and protokoll are built first: all, the one of DATUM, or none."""
    if existing and date:
        raise BadArgsError("Ange antingen ett datum (bygg det sammanträdets handlingar) eller --befintliga "
                           "(bygg inga handlingar), inte båda.")
    if existing:
        return []
    if date:
        return [find_meeting(sources, date, command="publish").name]
    return meeting_ids


def build_meeting_files(sources: Path, meeting_id: str, packets: Path) -> None:
    """The packet (internal and public) and, when protokoll.yaml says justerat, the protokoll."""
    from ..minutes.build import build_minutes
    from ..packet import build_packet

    log.info("Bygger kallelsen för %s", meeting_id)
    build_packet(sources, meeting_id, packets)
    folder = sources / meeting_id
    if not content.has_record(folder):
        return
    with content.quiet(True):
        meeting, _ = load_meeting(folder)
        adjusted = content.load_record_of(sources, secrecy.minutes_view(meeting)).adjusted
    if adjusted:
        log.info("Bygger protokollet för %s", meeting_id)
        build_minutes(sources, meeting_id, packets)


# ------------------------------------------------------------------ writing


def write_site(out: Path, sites: list[MeetingSite], board: noticeboard.Board, today: dt.date) -> None:
    committees = latest_committees(sites)
    renderer = pages.Renderer(pages.Site(site_title(committees), committees[0].organisation, committees, today))
    out.mkdir(parents=True)
    shutil.copyfile(pages.TEMPLATE_DIR / pages.STYLESHEET, out / pages.STYLESHEET)
    _write(out / "index.html", renderer.start(sites, board))
    _write(out / pages.BOARD_FOLDER / "index.html", renderer.board(board))
    (out / pages.BOARD_FOLDER / feed.FEED_FILE).write_bytes(
        feed.feed(board, f"Anslagstavla – {renderer.site.organisation}", renderer.site.organisation, "../"))
    for committee in committees:
        write_committee(out, renderer, committee, sites, today)
    for site in sites:
        write_meeting(out / site.folder, renderer, site, today)


def latest_committees(sites: list[MeetingSite]) -> list[Committee]:
    """Each committee once, as of its latest meeting on the site (its current members), in name order."""
    latest: dict[str, Committee] = {}
    for site in sorted(sites, key=lambda s: s.meeting.date):
        latest[site.meeting.committee.key] = site.meeting.committee
    return sorted(latest.values(), key=lambda c: c.name)


def site_title(committees: list[Committee]) -> str:
    organisations = {c.organisation for c in committees}
    if len(organisations) == 1:
        return f"{committees[0].organisation} – sammanträden och anslagstavla"
    return "Nämndernas sammanträden och anslagstavla"


def write_committee(out: Path, renderer: pages.Renderer, committee: Committee, sites: list[MeetingSite],
                    today: dt.date) -> None:
    folder = out / committee.key
    own = [s for s in sites if s.meeting.committee.key == committee.key]
    _write(folder / "index.html", renderer.committee(committee, own))
    _json(folder / oparl.ORGANIZATION_FILE, oparl.organization(committee))
    _json(folder / oparl.PERSONS_FILE, oparl.persons([s.meeting.committee for s in own]))
    _json(folder / oparl.MEETINGS_FILE, oparl.meetings_list([oparl.meeting_object(s, today) for s in own]))


def write_meeting(folder: Path, renderer: pages.Renderer, site: MeetingSite, today: dt.date) -> None:
    images = Images()
    _write(folder / "index.html", renderer.meeting(site, images))
    if site.adjusted:
        _write(folder / pages.PROTOKOLL_PAGE, renderer.minutes(site, images))
    _json(folder / oparl.MEETING_FILE, oparl.meeting_object(site, today))
    _json(folder / oparl.PAPERS_FILE, oparl.papers(site))
    published = [site.packet, site.protokoll, *site.notices.values(), *site.extracts.values()]
    for public in filter(None, published):
        shutil.copy2(public.source, folder / public.name)
    for name, source in images.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / name)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _json(path: Path, data: dict) -> None:
    found = [p for obj in _objects(data) for p in oparl.problems(obj)]
    if found:
        raise OutputInvalidError(f"{path.name} följer inte OParl 1.1: {'; '.join(found[:5])}. Inget publicerades; "
                                 "kör igen med -v och rapportera felet.")
    _write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _objects(data: dict) -> list[dict]:
    """The OParl objects of a file: the object itself, or the objects of a list {"data": […]}."""
    return list(data["data"]) if set(data) == {"data"} else [data]


# ------------------------------------------------------------------ checking


def refuse_personal_numbers(staged: Path, sites: list[MeetingSite]) -> None:
    """No personnummer or samordningsnummer on any page, in any JSON, the feed or a PDF (the protokoll, its
    utdrag and anslagsbevis too): stop, and say where it comes from in the sources."""
    pages_with_numbers = {path.relative_to(staged).as_posix(): numbers for path in sorted(staged.rglob("*"))
                          if (numbers := _numbers_in(path))}
    if not pages_with_numbers:
        return
    shown = {number for numbers in pages_with_numbers.values() for number in numbers}
    page = next(iter(pages_with_numbers))
    problems = [Problem(finding.file, f"{finding.kind} ({finding.shown}) skulle publiceras på webbplatsen "
                                      f"({page}). Ta bort numret, eller markera texten som sekretess "
                                      "(::: sekretess OSL 21 kap. 1 § på raden före och ::: på raden efter).",
                        line=finding.line)
                for finding in _source_findings(sites) if finding.is_number and finding.shown in shown]
    if not problems:
        problems = [Problem(None, f"personnummer ({', '.join(sorted(shown))}) skulle publiceras på webbplatsen "
                                  f"({', '.join(pages_with_numbers)}). Ta bort numret ur källfilerna eller markera "
                                  "texten som sekretess.")]
    raise SiteSourceError(problems)


def _numbers_in(path: Path) -> set[str]:
    """The personnummer in a file of the site, masked."""
    if path.suffix in TEXT_SUFFIXES:
        return {number.masked for number in find_personal_numbers(path.read_text(encoding="utf-8"))}
    if path.suffix == ".pdf":
        return {finding.shown for finding in scan_file(path) if finding.is_number}
    return set()


def _source_findings(sites: list[MeetingSite]):
    for site in sites:
        files = packet_files(site.meeting)
        if site.record is not None:
            files += [f for f in minutes_files(site.minutes, site.record) if f not in files]
        yield from scan_files(files)
