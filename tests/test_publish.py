"""``build.py publish``: the public web site, built as the secretary builds it and read in a real browser.

One site is built per module (the demo meeting's packet and protokoll with LibreOffice, then the site), in a
private copy of sources/ whose notice of justering is posted 2020-12-16: three weeks later is 2021-01-06,
trettondedag jul, so the last day to appeal moves to Thursday 2021-01-07 and the notice comes down
2021-01-08. Later builds of the same copy use ``--befintliga`` (no LibreOffice). The pages are served from
127.0.0.1 and opened in Debian's Chromium (headless, over the DevTools pipe), and axe-core (npm, pinned in
package-lock.json) checks every page type against WCAG 2.1 A and AA.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from conftest import DEMO, REPO, run_build
from meetingdocs import secrecy
from meetingdocs.minutes import dates
from meetingdocs.publish import oparl
from meetingdocs.publish.browser import Chromium
from test_secrecy import MARKERS, PERSONNUMMER, mark_secrets

pytestmark = pytest.mark.libreoffice

IDAG = "2021-01-07"  # the last day to appeal: the notice is still up
POSTED = dt.date(2020, 12, 16)
LAST_APPEAL_DAY = dt.date(2021, 1, 7)  # 2021-01-06 is a public holiday
TAKE_DOWN = dt.date(2021, 1, 8)
IMMEDIATE_TAKE_DOWN = dt.date(2021, 1, 5)  # the § 34 notice, posted 2020-12-14
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_TYPES = {  # page type -> a page of it, relative to the site's root
    "start": "index.html",
    "nämnd": "gns/index.html",
    "sammanträde": f"gns/{DEMO}/index.html",
    "protokoll": f"gns/{DEMO}/protokoll.html",
    "sammanträde utan publicerade handlingar": "gns/2018-12-07/index.html",
    "anslagstavla": "anslagstavla/index.html",
}


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def publish(root: Path, web: str, *args: str):
    return run_build("publish", *args, "--webb", root / web, sources=root / "sources", out=root / "packets")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("webb")
    shutil.copytree(REPO / "sources", root / "sources")
    replace(root / "sources" / DEMO / "protokoll.yaml", "  datum: 2020-12-17", f"  datum: {POSTED.isoformat()}")
    result = publish(root, "public", DEMO, "--idag", IDAG)
    assert result.returncode == 0, result.stderr
    root.joinpath("stdout.txt").write_text(result.stdout, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(root: Path) -> Path:
    return root / "public"


def text_of(page: Path) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())


def site_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file())


# ------------------------------------------------------------------ the build


def test_the_site_has_a_stable_layout_and_only_public_files(root: Path, site: Path):
    stdout = root.joinpath("stdout.txt").read_text(encoding="utf-8")
    assert "public/index.html" in stdout and "Anslagstavlan 2021-01-07" in stdout
    assert f"nästa gång {TAKE_DOWN.isoformat()}" in stdout
    meeting = site / "gns" / DEMO
    for name in ("index.html", "protokoll.html", "kallelse.pdf", "protokoll.pdf", "anslagsbevis.pdf",
                 "anslagsbevis-omedelbar.pdf", "protokollsutdrag-31.pdf", "mote.json", "arenden.json"):
        assert (meeting / name).is_file(), name
    packets = root / "packets" / DEMO
    # the published kallelse is the public packet, byte for byte; the e-mail link's {fil} names hold
    assert (meeting / "kallelse.pdf").read_bytes() == (packets / "publik" / "kallelse.pdf").read_bytes()
    assert (meeting / "protokoll.pdf").read_bytes() == (packets / "protokoll.pdf").read_bytes()
    names = {p.name for p in site_files(site)}
    assert not names & {"kallelse.docx", "protokoll.docx", "tillganglighet.txt", "sandlista.json"}
    assert not [p for p in site.rglob(".*")], "no work or backup folders are left in the site"


def test_the_meeting_page_shows_the_agenda_and_links_each_document(site: Path):
    page = site / "gns" / DEMO / "index.html"
    html = page.read_text(encoding="utf-8")
    text = text_of(page)
    assert "kl. 09:00-12:00" in text and "Lillsjöhögen, Via Teams" in text
    assert "4. Budget 2021 (GNS/8/2020)" in text and "Basfinansieringen för 2021 fastställs till 914 400 kr" in text
    links = re.findall(r'href="(kallelse\.pdf#page=(\d+))"', html)
    assert len(links) >= 10
    assert all(1 <= int(number) <= 37 for _, number in links)
    assert "Handlingarna publiceras senare" not in text


def test_the_anslagstavla_dates_follow_the_holiday_rules(site: Path):
    assert dates.last_appeal_day(POSTED) == LAST_APPEAL_DAY and dates.take_down_day(POSTED) == TAKE_DOWN
    text = text_of(site / "anslagstavla" / "index.html")
    assert (f"Anslaget sattes upp {POSTED} Sista dag att överklaga {LAST_APPEAL_DAY} Anslaget tas ned {TAKE_DOWN}"
            in text)
    assert "§§ 31–33, 35–41" in text and "Datum för justering 2020-12-16" in text
    assert "Förvaringsplats för protokollet Region Jämtland Härjedalen, Regionens kansli, Östersund" in text
    assert "laglighetsprövning enligt 13 kap. kommunallagen" in text
    assert f"Sista dag att överklaga är {LAST_APPEAL_DAY}" in text
    assert "omedelbar justering av § 34" not in text, f"the § 34 notice came down {IMMEDIATE_TAKE_DOWN}"


@pytest.mark.parametrize("day, up, down", [
    ("2021-01-04", ["justering av protokoll", "omedelbar justering av § 34"], []),
    (TAKE_DOWN.isoformat(), [], ["justering av protokoll", "omedelbar justering"]),
])
def test_a_notice_is_up_until_its_take_down_day(root: Path, day: str, up: list[str], down: list[str]):
    result = publish(root, f"public-{day}", "--befintliga", "--idag", day)
    assert result.returncode == 0, result.stderr
    text = text_of(root / f"public-{day}" / "anslagstavla" / "index.html")
    assert all(f"Tillkännagivande om {what}" in text for what in up), text
    assert not any(f"Tillkännagivande om {what}" in text for what in down), text
    if not up:
        assert "Det finns inga tillkännagivanden om justerade protokoll just nu." in text


def test_the_feed_lists_the_notices_that_are_up(site: Path):
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site / "anslagstavla" / "flode.xml").getroot()
    assert feed.tag == f"{atom}feed" and feed.find(f"{atom}id").text.startswith("urn:uuid:")
    entries = feed.findall(f"{atom}entry")
    titles = [e.find(f"{atom}title").text for e in entries]
    assert titles == [f"Tillkännagivande om justering av protokoll: GNS {DEMO}"]
    summary = entries[0].find(f"{atom}summary").text
    assert f"tas ned {TAKE_DOWN}" in summary and f"Sista dag att överklaga: {LAST_APPEAL_DAY}" in summary
    assert entries[0].find(f"{atom}updated").text.startswith(POSTED.isoformat())
    href = entries[0].find(f"{atom}link").get("href")
    target, anchor = urldefrag(urljoin("anslagstavla/flode.xml", href))
    assert (site / target).is_file() and f'id="{anchor}"' in (site / target).read_text(encoding="utf-8")


def test_the_open_data_follows_the_oparl_shapes(site: Path):
    json_files = sorted(site.rglob("*.json"))
    assert {p.name for p in json_files} >= {"mote.json", "arenden.json", "organisation.json", "personer.json",
                                             "moten.json"}
    for path in json_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        objects = data["data"] if set(data) == {"data"} else [data]
        for obj in objects:
            assert oparl.problems(obj) == [], path
    meeting = json.loads((site / "gns" / DEMO / "mote.json").read_text(encoding="utf-8"))
    assert meeting["type"] == "https://schema.oparl.org/1.1/Meeting" and meeting["id"] == f"gns/{DEMO}/mote.json"
    assert meeting["start"] == f"{DEMO}T09:00:00+01:00" and meeting["meetingState"] == "durchgeführt"
    items = meeting["agendaItem"]
    assert [i["order"] for i in items] == list(range(len(items)))
    assert all(set(i) >= {"id", "type", "order"} for i in items)
    files = [meeting["invitation"], meeting["resultsProtocol"], *meeting["auxiliaryFile"],
             *(f for i in items for f in i.get("auxiliaryFile", []))]
    for file in files:  # every File's address leads to a file of the site; ids and addresses are relative
        assert not urlsplit(file["accessUrl"]).scheme and not file["accessUrl"].startswith("/")
        assert (site / urldefrag(file["accessUrl"]).url).is_file(), file
    persons = json.loads((site / "gns" / "personer.json").read_text(encoding="utf-8"))["data"]
    assert persons and not any("@" in json.dumps(p) for p in persons), "no e-mail address is published"


def test_the_email_link_pattern_points_into_the_site(site: Path):
    """`länk: https://…/{nämnd}/{datum}/` (the meeting page) and `…/{nämnd}/{datum}/{fil}` (a file)."""
    for pattern in ("{nämnd}/{datum}/index.html", "{nämnd}/{datum}/{fil}"):
        for name in ("kallelse.pdf", "protokoll.pdf", "protokollsutdrag-34.pdf"):
            address = pattern.replace("{nämnd}", "gns").replace("{datum}", DEMO).replace("{fil}", name)
            assert (site / address).is_file(), address


# ------------------------------------------------------------------ sekretess and personnummer


def test_nothing_marked_secret_reaches_the_site(root: Path, tmp_path: Path):
    sources = tmp_path / "sources"
    shutil.copytree(root / "sources", sources)
    mark_secrets(sources)
    web = tmp_path / "public"
    result = run_build("publish", "--befintliga", "--idag", IDAG, "--webb", web, sources=sources,
                       out=root / "packets")
    assert result.returncode == 0, result.stderr
    # the packet and protokoll were built before the markings: they are held back, with a warning that says why
    assert "byggdes före den senaste ändringen" in result.stderr and "make publish DATE=2020-12-11" in result.stderr
    assert not list(web.rglob("*.pdf"))
    for path in site_files(web):
        content = path.read_bytes().decode("utf-8")
        for marker in (*MARKERS, PERSONNUMMER, "19121212"):
            assert marker not in content, (path, marker)
    text = text_of(web / "gns" / DEMO / "index.html")
    assert secrecy.removed_text("OSL 21 kap. 1 §") in text
    assert "4. Budget 2021 (GNS/8/2020) Föredragande: Jessica Hådell, kl. 09:25 " \
           + secrecy.secret_document_text("OSL 19 kap. 1 §") in text
    assert "Basfinansieringen" not in text
    assert f"Bilaga 1: Avtal med leverantören: {secrecy.secret_document_text('OSL 31 kap. 16 §')}" in text
    assert f"Bilaga 2: Delårsrapport augusti 2020 (Gemensam nämnd för samverkan inom drift och service, " \
           f"utveckling samt specialistfunktioner): {secrecy.secret_document_text('OSL 31 kap. 16 §')}" in text
    assert "Handlingarna publiceras senare" in text


def test_a_personnummer_stops_the_site_and_the_old_site_stays(root: Path, tmp_path: Path):
    web = tmp_path / "public"
    shutil.copytree(root / "public", web)
    before = {p: p.read_bytes() for p in site_files(web)}
    sources = tmp_path / "sources"
    shutil.copytree(root / "sources", sources)
    replace(sources / DEMO / "budget-2021.md", "## Förslag till beslut",
            "Kontakt: Anna Andersson, 121212-1212.\n\n## Förslag till beslut")
    result = run_build("publish", "--befintliga", "--idag", IDAG, "--webb", web, sources=sources,
                       out=root / "packets")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    line = next(n for n, text in enumerate((sources / DEMO / "budget-2021.md").read_text().splitlines(), 1)
                if "121212-1212" in text)
    assert f"budget-2021.md, rad {line}" in result.stderr and "121212-****" in result.stderr
    assert "1212-1212" not in result.stderr and "sekretess" in result.stderr
    assert {p: p.read_bytes() for p in site_files(web)} == before


def test_a_bad_date_or_a_broken_source_changes_nothing(root: Path, tmp_path: Path):
    result = publish(root, "ingen", "--idag", "2021-13-01")
    assert result.returncode == 2 and "'2021-13-01' är inget giltigt datum för --idag" in result.stderr
    result = publish(root, "ingen", DEMO, "--befintliga")
    assert result.returncode == 2 and "antingen ett datum" in result.stderr
    assert not (root / "ingen").exists()
    web = tmp_path / "public"
    shutil.copytree(root / "public", web)
    before = {p: p.read_bytes() for p in site_files(web)}
    sources = tmp_path / "sources"
    shutil.copytree(root / "sources", sources)
    replace(sources / DEMO / "mote.yaml", "plats: Lillsjöhögen, Via Teams", "plats:")
    result = run_build("publish", "--befintliga", "--webb", web, sources=sources, out=root / "packets")
    assert result.returncode == 3 and "mote.yaml" in result.stderr and "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in site_files(web)} == before


# ------------------------------------------------------------------ in the browser


@pytest.fixture(scope="module")
def server(site: Path):
    """The site over http://127.0.0.1 on a free port, as a web server would serve it."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with Chromium() as chromium:
        yield chromium


def test_a_visitor_goes_from_the_committee_to_a_document_and_the_anslagstavla(server: str, browser):
    page = browser.new_page(390, 844)  # a phone
    page.navigate(server + "gns/index.html")
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.follow(f'a[href="{DEMO}/index.html"]') == server + f"gns/{DEMO}/index.html"
    assert page.evaluate("document.querySelector('h1').textContent").endswith(DEMO)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    href = page.evaluate("document.querySelector('ul.handlingar a').href")
    assert re.fullmatch(re.escape(server) + rf"gns/{DEMO}/kallelse\.pdf#page=\d+", href)
    status, kind = page.evaluate(f"fetch({json.dumps(href)}).then(r => [r.status, r.headers.get('content-type')])",
                                 wait=True)
    assert (status, kind) == (200, "application/pdf")
    assert page.follow('nav[aria-label="Webbplatsen"] a[href$="anslagstavla/index.html"]') == \
        server + "anslagstavla/index.html"
    assert TAKE_DOWN.isoformat() in page.evaluate("document.querySelector('main').innerText")


def test_the_skip_link_is_first_and_focus_is_visible(server: str, browser):
    page = browser.new_page()
    page.navigate(server + PAGE_TYPES["sammanträde"])
    assert page.evaluate("document.querySelector('body a') === document.querySelector('body > a.hoppa')")
    assert page.evaluate("document.querySelector('body > a').getAttribute('href')") == "#innehall"
    assert page.evaluate("document.querySelector('.hoppa').getBoundingClientRect().bottom") < 0, "hidden until focused"
    page.evaluate("document.querySelector('.hoppa').focus()")
    style = page.evaluate("(() => { const e = document.activeElement, s = getComputedStyle(e); "
                          "return [s.outlineStyle, s.outlineWidth, e.getBoundingClientRect().top]; })()")
    assert style[0] == "solid" and style[1] == "3px" and style[2] >= 0, style


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_every_page_type_passes_axe_wcag_21_aa(server: str, browser, kind: str):
    assert AXE.is_file(), "axe-core saknas: kör make setup (npm ci)"
    page = browser.new_page()
    page.navigate(server + PAGE_TYPES[kind])
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
                          ".then(r => [r.violations.map(v => [v.id, v.help, v.nodes.map(n => n.target.join(' '))]),"
                          " r.passes.length])" % json.dumps(WCAG), wait=True)
    violations, passes = found
    assert violations == [] and passes > 10, violations
    headings = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:])), f"headings skip a level: {headings}"
    landmarks = page.evaluate("['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length)")
    assert all(landmarks), landmarks
    assert page.evaluate("[...document.querySelectorAll('th')].every(th => th.scope)"), "every th has a scope"
    assert page.evaluate("document.scripts.length") == 0, "no JavaScript"
