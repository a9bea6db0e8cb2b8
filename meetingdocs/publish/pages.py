"""The HTML pages, from the Jinja templates in templates/webb/ (autoescape on: text is data).

Each page is made of plain values prepared here (the templates only lay them
out): the start page, a page per committee, a page per meeting, the
protokoll as a page, and the anslagstavla. Links are relative, so the folder
works wherever it is uploaded, and also opened straight from the disk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from .. import secrecy
from ..buildkit import TEMPLATES
from ..minutes.appeal import WORD_JOINER
from ..model import AgendaItem, Committee
from ..render.documents import presenter_line
from ..send.compose import date_text
from ..sources import BASIS, PROPOSAL
from .content import MeetingSite, PublicFile
from .markup import Images, Where, to_html
from .minutes_page import MinutesPage
from .noticeboard import Board

TEMPLATE_DIR = TEMPLATES / "webb"
STYLESHEET = "stil.css"
BOARD_FOLDER = "anslagstavla/"
PROTOKOLL_PAGE = "protokoll.html"
ITEM_LEVEL = 3  # '3. Budget 2021' is an h3 under 'Föredragningslista' (h2); its sections h4
FEED_NAME = "flode.xml"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["lang_datum"] = date_text
    env.filters["rader"] = lines
    env.filters["fil"] = file_label
    return env


@dataclass(frozen=True)
class Site:
    """What every page knows: the site's title, the committees (for the navigation), the day it shows."""

    title: str
    organisation: str
    committees: list[Committee]
    today: dt.date


class Renderer:
    def __init__(self, site: Site):
        self.site = site
        self.env = environment()

    def page(self, template: str, root: str, **context) -> str:
        return self.env.get_template(template).render(webbplats=self.site, root=root, **context)

    # -- pages

    def start(self, sites: list[MeetingSite], board: Board) -> str:
        committees = [(c, _coming(sites, c, self.site.today)[:1]) for c in self.site.committees]
        return self.page("start.html", "", namnder=committees, tavla=board)

    def committee(self, committee: Committee, sites: list[MeetingSite]) -> str:
        today = self.site.today
        return self.page("namnd.html", "../", namnd=committee, kommande=_coming(sites, committee, today),
                         tidigare=_past(sites, committee, today))

    def meeting(self, meeting: MeetingSite, images: Images) -> str:
        items = [_item_view(meeting, item, images) for item in meeting.meeting.agenda]
        return self.page("mote.html", "../../", mote=meeting, punkter=items, idag=self.site.today,
                         protokollsida=PROTOKOLL_PAGE)

    def minutes(self, meeting: MeetingSite, images: Images) -> str:
        page = MinutesPage(meeting.minutes, meeting.record, images)
        return self.page("protokoll.html", "../../", mote=meeting, protokoll=page)

    def board(self, board: Board) -> str:
        return self.page("anslagstavla.html", "../", tavla=board, flode=FEED_NAME)


def _of(sites: list[MeetingSite], committee: Committee) -> list[MeetingSite]:
    return [s for s in sites if s.meeting.committee.key == committee.key]


def _coming(sites: list[MeetingSite], committee: Committee, today: dt.date) -> list[MeetingSite]:
    return sorted((s for s in _of(sites, committee) if s.meeting.date >= today), key=lambda s: s.meeting.date)


def _past(sites: list[MeetingSite], committee: Committee, today: dt.date) -> list[MeetingSite]:
    return sorted((s for s in _of(sites, committee) if s.meeting.date < today), key=lambda s: s.meeting.date,
                  reverse=True)


# ------------------------------------------------------------------ agenda items


@dataclass(frozen=True)
class DocumentLink:
    title: str
    href: str  # '' when nothing is linked (not published yet, or secret)
    page: int | None
    secret_text: str  # 'Handlingen omfattas av sekretess (OSL …).' for a secret bilaga


@dataclass
class ItemView:
    """One line of the föredragningslista as the meeting page shows it."""

    item: AgendaItem
    anchor: str
    presenter: str
    secret_text: str = ""  # a secret item: its title and dnr, this text, and nothing else
    sections: list[tuple[str, Markup]] = field(default_factory=list)
    dispatch: list[str] = field(default_factory=list)
    documents: list[DocumentLink] = field(default_factory=list)


def _item_view(site: MeetingSite, item: AgendaItem, images: Images) -> ItemView:
    view = ItemView(item, f"punkt-{item.number}" if item.number is not None else "", presenter_line(item))
    case = item.case
    if case is None:
        return view
    if site.item_secrecy(item):
        view.secret_text = secrecy.secret_document_text(site.item_secrecy(item))
        return view

    def html(markdown: str) -> Markup:
        where = Where(f"{view.anchor}-{len(view.sections)}", ITEM_LEVEL + 2, case.source.parent,
                      site.meeting.folder, images)
        return to_html(markdown, where)

    texts = [(s.heading, s.markdown) for s in case.description]
    texts += [(PROPOSAL, case.proposal)] if case.proposal else []
    texts += [(s.heading, s.markdown) for s in case.after_proposal] if not case.has_report else []
    texts += [(BASIS, case.basis)] if case.basis.strip() else []
    for heading, markdown in texts:
        body = html(markdown)
        if body:
            view.sections.append((heading, body))
    view.dispatch = list(case.dispatch)
    view.documents = [_document_link(site, d) for d in site.item_documents(item)]
    return view


def _document_link(site: MeetingSite, document) -> DocumentLink:
    if document.secrecy:
        return DocumentLink(document.title, "", None, secrecy.secret_document_text(document.secrecy))
    if site.packet is None:
        return DocumentLink(document.title, "", None, "")
    href = site.packet.name + (f"#page={document.page}" if document.page else "")
    return DocumentLink(document.title, href, document.page, "")


def lines(text: str) -> list[str]:
    """A value with line breaks (a cell of the protokoll's first page) as lines, without the PDF's word joiners."""
    return [line for line in str(text).replace(WORD_JOINER, "").split("\n") if line.strip()]


def file_label(public: PublicFile) -> str:
    """'Protokoll (PDF, 12 sidor, 340 kB)'."""
    return f"{public.title} (PDF, {public.pages_text}, {public.size_text})"
