"""LibreOffice stays off the network and dies with the build.

A bilaga can link content from elsewhere (an image, a field that includes a
picture, an .odt's background or bullet image). LibreOffice would fetch it
while converting: a tracking pixel, and a way to probe the town hall's
network. Three walls stop it, and each is tested on its own here against a
server on 127.0.0.1 that counts requests:

1. the copies in the work folder lose their external references
   (``meetingdocs.tools.external_refs``), with a warning naming the file;
2. the private LibreOffice profile blocks linked content and sends every
   request to a closed port;
3. soffice runs in a network namespace of its own where the system allows.

And a build killed with SIGKILL takes oosplash and soffice.bin with it.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from conftest import DEMO, REPO, run_build
from meetingdocs.errors import ConversionError
from meetingdocs.tools import external_refs, libreoffice

CASE = Path(DEMO) / "aterstaende-medel-2018"
CASE_BILAGA_LINE = '    titel: "§8 GNS Återstående medel från 2018"\n'
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ATTACHED_TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
VML_NAMESPACES = ('xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"')


# --- a server that counts ----------------------------------------------------------


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PROPFIND = do_OPTIONS = _answer

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def counting_server() -> Iterator[http.server.ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 that records every request it gets in ``.requests``."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    httpd.requests = []
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server():
    with counting_server() as httpd:
        yield httpd


# --- hostile documents -------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def linked_docx(path: Path, base: str, *, keep_stored_copy: bool = False) -> Path:
    """A Word file with a linked picture, an INCLUDEPICTURE field as Word writes it with
    \\d (its result a VML picture linked from outside), a linked template and a hyperlink."""
    doc = Document()
    doc.add_paragraph("Före bilden")
    doc.add_picture(io.BytesIO(_png()))
    blip = doc.element.body.xpath(".//a:blip")[0]
    stored = blip.get(qn("r:embed"))
    blip.set(qn("r:link"), doc.part.relate_to(f"{base}/bild.png", RT.IMAGE, is_external=True))
    if not keep_stored_copy:
        del blip.attrib[qn("r:embed")]
        doc.part.drop_rel(stored)
    field_picture = doc.part.relate_to(f"{base}/falt.png", RT.IMAGE, is_external=True)
    paragraph = doc.add_paragraph("Fält: ")
    for run in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {{ns}}><w:instrText xml:space="preserve"> INCLUDEPICTURE "{base}/falt.png" \\d </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {{ns}}><w:pict><v:shape id="b1" style="width:20pt;height:20pt"><v:imagedata r:id="{field_picture}"/>'
        "</v:shape></w:pict></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(run.format(ns=VML_NAMESPACES)))
    page = doc.part.relate_to(f"{base}/sida.html", RT.HYPERLINK, is_external=True)
    doc.add_paragraph("Läs mer ")._p.append(
        parse_xml(f'<w:hyperlink {VML_NAMESPACES} r:id="{page}"><w:r><w:t>på webben</w:t></w:r></w:hyperlink>'))
    settings_part = doc.part._settings_part
    template = settings_part.relate_to(f"{base}/mall.dotx", ATTACHED_TEMPLATE, is_external=True)
    settings_part.element.insert(0, parse_xml(f'<w:attachedTemplate {VML_NAMESPACES} r:id="{template}"/>'))
    doc.add_paragraph("Efter bilden")
    doc.save(path)
    return path


_ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" '
           'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
           'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def linked_odt(path: Path, base: str) -> Path:
    """An OpenDocument text with a linked image, paragraph background, bullet image,
    template and section, and a hyperlink: all but the last are fetched by LibreOffice 7.4."""
    styles = (
        f'<style:style style:name="P1" style:family="paragraph"><style:paragraph-properties>'
        f'<style:background-image xlink:href="{base}/bakgrund.png" xlink:type="simple" xlink:actuate="onLoad"/>'
        f"</style:paragraph-properties></style:style>"
        f'<text:list-style style:name="L1"><text:list-level-style-image text:level="1" xlink:href="{base}/punkt.png" '
        f'xlink:type="simple" xlink:actuate="onLoad"><style:list-level-properties fo:width="0.3cm" '
        f'fo:height="0.3cm"/></text:list-level-style-image></text:list-style>'
    )
    body = (
        "<text:p>ODT-bilagan</text:p>"
        f'<text:p><draw:frame draw:name="Bild" text:anchor-type="as-char" svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{base}/odt-bild.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p>"
        '<text:p text:style-name="P1">Med bakgrund</text:p>'
        '<text:list text:style-name="L1"><text:list-item><text:p>En punkt</text:p></text:list-item></text:list>'
        f'<text:section text:name="S1"><text:section-source xlink:href="{base}/avsnitt.odt"/>'
        "<text:p>Avsnittets text</text:p></text:section>"
        f'<text:p><text:a xlink:type="simple" xlink:href="{base}/odt-sida.html">En länk</text:a></text:p>'
    )
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS} office:version="1.2">'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODT_NS} office:version="1.2">'
            f'<office:meta><meta:template xlink:type="simple" xlink:href="{base}/mall.ott"/></office:meta>'
            "</office:document-meta>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content), ("meta.xml", meta)):
            odt.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _external_relationships(docx: Path) -> list[tuple[str, str]]:
    """(type, target) of every relationship in the package that leaves it."""
    found = []
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if name.endswith(".rels"):
                for rel in etree.fromstring(archive.read(name)).iter(PACKAGE_RELS):
                    if rel.get("TargetMode") == "External":
                        found.append((rel.get("Type").rpartition("/")[2], rel.get("Target")))
    return found


def _odt_links(odt: Path) -> list[tuple[str, str]]:
    found = []
    with zipfile.ZipFile(odt) as archive:
        for name in ("content.xml", "styles.xml", "meta.xml"):
            if name in archive.namelist():
                for element in etree.fromstring(archive.read(name)).iter():
                    if element.get(XLINK_HREF):
                        found.append((etree.QName(element).localname, element.get(XLINK_HREF)))
    return found


# --- wall 1: the copies lose their external references -----------------------------


def test_docx_loses_linked_picture_field_and_template_but_keeps_hyperlink(tmp_path):
    base = "http://127.0.0.1:9/x"
    docx = linked_docx(tmp_path / "lankad.docx", base)
    assert len(_external_relationships(docx)) == 4

    removed = external_refs.neutralise(docx)

    assert _external_relationships(docx) == [("hyperlink", f"{base}/sida.html")]
    shown = [(r.what, r.target) for r in removed if r.shown]
    assert shown == [("en länkad bild", f"{base}/bild.png"), ("en länkad bild", f"{base}/falt.png")]
    assert {r.target for r in removed} == {f"{base}/bild.png", f"{base}/falt.png", f"{base}/mall.dotx"}
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode()
        assert "INCLUDEPICTURE" not in xml and "fldChar" not in xml and "r:link" not in xml
    reopened = Document(docx)
    paragraphs = [p.text for p in reopened.paragraphs]
    assert paragraphs == ["Före bilden", "", "Fält: ", "Läs mer på webben", "Efter bilden"]
    assert external_refs.neutralise(docx) == [], "a second pass finds nothing"


def test_picture_linked_and_stored_keeps_its_stored_copy(tmp_path):
    docx = linked_docx(tmp_path / "lankad.docx", "http://127.0.0.1:9/x", keep_stored_copy=True)

    removed = external_refs.neutralise(docx)

    picture = [r for r in removed if r.target.endswith("/bild.png")]
    assert [r.shown for r in picture] == [False]
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "r:embed" in xml and "r:link" not in xml


def test_odt_loses_linked_content_but_keeps_hyperlink(tmp_path):
    base = "http://127.0.0.1:9/x"
    odt = linked_odt(tmp_path / "lankad.odt", base)

    removed = external_refs.neutralise(odt)

    assert _odt_links(odt) == [("a", f"{base}/odt-sida.html")]
    assert sorted(r.target.rpartition("/")[2] for r in removed if r.shown) == [
        "bakgrund.png", "odt-bild.png", "punkt.png"]
    assert sorted(r.target.rpartition("/")[2] for r in removed if not r.shown) == ["avsnitt.odt", "mall.ott"]
    with zipfile.ZipFile(odt) as archive:
        assert archive.infolist()[0].filename == "mimetype"
        assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert "Avsnittets text" in archive.read("content.xml").decode()


def test_internal_references_are_left_alone(tmp_path):
    """python-docx's own template points at ../customXml/item1.xml: inside the package."""
    doc = Document()
    doc.add_paragraph("Vanlig text")
    doc.add_picture(io.BytesIO(_png()))
    doc.save(tmp_path / "vanlig.docx")
    before = (tmp_path / "vanlig.docx").read_bytes()

    assert external_refs.neutralise(tmp_path / "vanlig.docx") == []
    assert (tmp_path / "vanlig.docx").read_bytes() == before


@pytest.mark.fuzz
@given(data=st.binary(max_size=4096))
def test_neutralise_never_fails_on_garbage(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("skrap") / "bilaga.docx"
    path.write_bytes(data)
    assert external_refs.neutralise(path) == []


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("fientliga")
    return {".docx": linked_docx(folder / "a.docx", "http://127.0.0.1:9").read_bytes(),
            ".odt": linked_odt(folder / "a.odt", "http://127.0.0.1:9").read_bytes()}


@pytest.mark.fuzz
@given(suffix=st.sampled_from([".docx", ".odt"]),
       flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_neutralise_never_fails_on_damaged_files(tmp_path_factory, hostile_files, suffix, flips, cut):
    data = bytearray(hostile_files[suffix])
    for position, value in flips:
        data[position % len(data)] = value
    path = tmp_path_factory.mktemp("skadad") / f"bilaga{suffix}"
    path.write_bytes(bytes(data[:cut] if cut is not None else data))
    assert isinstance(external_refs.neutralise(path), list)


_MINIMAL_DOCX = {
    "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "word/document.xml": f'<w:document {VML_NAMESPACES}><w:body><w:p><w:r><w:t>Text</w:t></w:r></w:p></w:body>'
                         "</w:document>".encode(),
    "word/_rels/document.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                    b'relationships"/>',
}
_TARGETS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["http://127.0.0.1:9/a.png", "HTTPS://x/y", "file:///etc/passwd", "\\\\server\\share\\a.png",
                     "//server/a.png", "../../utanfor.png", "C:\\bilder\\a.png", "media/image1.png", "/word/a.png",
                     "ftp://127.0.0.1:9/a"]),
)


@pytest.mark.fuzz
@given(rels=st.lists(st.tuples(st.sampled_from(["image", "hyperlink", "attachedTemplate", "oleObject", "frame"]),
                               _TARGETS, st.booleans()), max_size=6))
def test_only_hyperlinks_leave_the_package_afterwards(tmp_path_factory, rels):
    """Whatever the relationships say, afterwards only hyperlinks point outside the package."""
    path = tmp_path_factory.mktemp("rels") / "bilaga.docx"
    parts = dict(_MINIMAL_DOCX)
    root = etree.fromstring(parts["word/_rels/document.xml.rels"])
    for number, (kind, target, external) in enumerate(rels):
        rel = etree.SubElement(root, PACKAGE_RELS, Id=f"rIdX{number}", Target=target,
                               Type=f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}")
        if external:
            rel.set("TargetMode", "External")
    parts["word/_rels/document.xml.rels"] = etree.tostring(root)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    external_refs.neutralise(path)

    with zipfile.ZipFile(path) as archive:
        remaining = etree.fromstring(archive.read("word/_rels/document.xml.rels")).iter(PACKAGE_RELS)
        for rel in remaining:
            if not rel.get("Type").endswith("/hyperlink"):
                target = rel.get("Target").strip().replace("\\", "/")
                assert rel.get("TargetMode") != "External", target
                assert not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", target), target
                assert not target.startswith("//") and not target.startswith("../.."), target


# --- wall 2: the profile alone -----------------------------------------------------


@pytest.mark.libreoffice
def test_profile_alone_keeps_libreoffice_off_the_network(tmp_path, server, monkeypatch):
    """Unstripped hostile files, soffice in our network namespace: the profile must do it."""
    monkeypatch.delenv(libreoffice.SOFFICE_ENV, raising=False)
    files = [linked_docx(tmp_path / "lankad.docx", server.base), linked_odt(tmp_path / "lankad2.odt", server.base)]
    profile = tmp_path / "profil"

    pdfs = libreoffice.convert_to_pdf(files, tmp_path / "ut", profile_dir=profile, isolate_network=False)

    assert server.requests == []
    assert all(pdf.stat().st_size > 0 for pdf in pdfs)
    # LibreOffice read our settings and kept them (it rewrites the file on exit).
    kept = (profile / "0" / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")  # process 0's
    for path, name, value in libreoffice.PROFILE_SETTINGS:
        assert re.search(rf'oor:path="{re.escape(path)}"><prop oor:name="{name}" oor:op="fuse">'
                         rf"(<value>{re.escape(value)}</value>|<value/>)", kept), name


@pytest.mark.libreoffice
def test_without_our_profile_libreoffice_fetches_linked_content(tmp_path, server):
    """The control for the test above (and what the hostile-input campaign saw):
    a bare profile and the same files make LibreOffice 7.4 fetch the linked images."""
    files = [linked_docx(tmp_path / "lankad.docx", server.base), linked_odt(tmp_path / "lankad2.odt", server.base)]
    subprocess.run(
        [libreoffice.soffice_path(), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={(tmp_path / 'bar-profil').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "ut"), *map(str, files)],
        env={**os.environ, "HOME": str(tmp_path / "hem")}, capture_output=True, timeout=120, check=True,
        start_new_session=True)

    fetched = {request.split()[1] for request in server.requests}
    assert {"/bild.png", "/odt-bild.png", "/bakgrund.png", "/punkt.png"} <= fetched, server.requests


# --- wall 3: no network at all ----------------------------------------------------


def _fetching_soffice(tmp_path: Path, url: str) -> Path:
    """A fake soffice that only tries to fetch ``url``."""
    script = tmp_path / "soffice-som-hamtar"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -c \"import urllib.request; "
                      f"urllib.request.urlopen('{url}', timeout=5)\"\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize("isolate", [True, False])
def test_soffice_runs_without_network(tmp_path, server, monkeypatch, isolate):
    if isolate and not libreoffice.network_isolation():
        pytest.skip("unshare --map-root-user --net is not allowed here; the profile keeps LibreOffice off the net")
    monkeypatch.setenv(libreoffice.SOFFICE_ENV, str(_fetching_soffice(tmp_path, f"{server.base}/ut")))
    source = tmp_path / "dok.docx"
    Document().save(source)

    with pytest.raises(ConversionError):  # the fake makes no PDF
        libreoffice.convert_to_pdf([source], tmp_path / "ut", profile_dir=tmp_path / "profil",
                                   isolate_network=isolate)

    assert server.requests == ([] if isolate else ["GET /ut"])


# --- through the command line: a killed build, then the next one --------------------


def _add_bilagor(sources: Path, names: list[str]) -> None:
    case = sources / CASE / "tjansteskrivelse.md"
    text = case.read_text(encoding="utf-8")
    assert CASE_BILAGA_LINE in text
    extra = "".join(f"  - fil: {name}\n    titel: Bilaga med länkar {i}\n" for i, name in enumerate(names, 2))
    case.write_text(text.replace(CASE_BILAGA_LINE, CASE_BILAGA_LINE + extra, 1), encoding="utf-8")


def _processes_naming(needle: bytes) -> list[tuple[int, str]]:
    """(pid, program) of the live processes whose command line contains ``needle``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            found.append((int(entry.name), cmdline.split(b"\0")[0].decode("utf-8", "replace")))
    return found


def _wait_for_soffice_bin(out: Path, build: subprocess.Popen, within: float = 120) -> bytes:
    """The work folder of the build, once soffice.bin converts in it."""
    pattern = re.compile(re.escape(str(out).encode()) + rb"/\.bygge-[^/\0]+")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert build.poll() is None, f"the build ended ({build.returncode}) before LibreOffice started"
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
            except OSError:
                continue
            match = pattern.search(cmdline)
            if match and cmdline.split(b"\0")[0].endswith(b"soffice.bin"):
                return match.group(0)
        time.sleep(0.05)
    pytest.fail("soffice.bin did not start")


def _gone_within(needle: bytes, seconds: float) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while (left := _processes_naming(needle)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@dataclass
class Killed:
    running: list[tuple[int, str]]  # what used the work folder just before the kill
    left: list[tuple[int, str]]  # what still used it 5 s after


def kill_during_conversion(command: str, sources: Path, out: Path) -> Killed:
    """Start ``build.py command``, SIGKILL it while soffice.bin converts, see what is left."""
    build = subprocess.Popen(  # with an empty cache of its own: LibreOffice must run to be killed
        [sys.executable, str(REPO / "build.py"), "--sources", str(sources), "--out", str(out), command, DEMO],
        cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MEETINGDOCS_CACHE": str(out.parent / f"cache-{command}")})
    folder = b""
    try:
        folder = _wait_for_soffice_bin(out, build)
        running = _processes_naming(folder)
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=10)
        return Killed(running, _gone_within(folder, seconds=5))
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        for pid, _ in _processes_naming(folder) if folder else []:
            os.kill(pid, signal.SIGKILL)


@dataclass
class KilledThenRebuilt:
    killed: Killed
    again: subprocess.CompletedProcess
    requests: list[str]
    out: Path
    base: str


@pytest.fixture(scope="module")
def killed_then_rebuilt(tmp_path_factory) -> KilledThenRebuilt:
    """The demo packet with a Word and an OpenDocument bilaga full of links to a server on
    127.0.0.1: built, killed with SIGKILL during conversion, then built again."""
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs Linux /proc")
    sources = tmp_path_factory.mktemp("kallor") / "sources"
    shutil.copytree(REPO / "sources", sources)
    out = tmp_path_factory.mktemp("ut") / "packets"
    with counting_server() as server:
        linked_docx(sources / CASE / "lankad-bild.docx", server.base)
        linked_odt(sources / CASE / "lankad-text.odt", server.base)
        _add_bilagor(sources, ["lankad-bild.docx", "lankad-text.odt"])
        killed = kill_during_conversion("packet", sources, out)
        again = run_build("packet", DEMO, sources=sources, out=out)
        return KilledThenRebuilt(killed, again, list(server.requests), out, server.base)


@pytest.mark.libreoffice
def test_killed_build_takes_libreoffice_with_it(killed_then_rebuilt):
    killed = killed_then_rebuilt.killed
    assert {Path(program).name for _, program in killed.running} >= {"oosplash", "soffice.bin"}
    assert killed.left == [], f"LibreOffice outlived the killed build: {killed.left}"

    again = killed_then_rebuilt.again
    assert again.returncode == 0, again.stderr
    assert not list(killed_then_rebuilt.out.glob(".bygge-*")), "the killed build's work folder is left"


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_packet_with_linked_content_reaches_no_server(killed_then_rebuilt):
    result, base = killed_then_rebuilt.again, killed_then_rebuilt.base
    assert result.returncode == 0, result.stderr
    assert killed_then_rebuilt.requests == []
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Varning:")]
    for name, image in (("lankad-bild.docx", "bild.png"), ("lankad-bild.docx", "falt.png"),
                        ("lankad-text.odt", "odt-bild.png"), ("lankad-text.odt", "bakgrund.png")):
        assert any(f"fil {name}" in w and f"{base}/{image}" in w and "klistra in bilden" in w
                   for w in warnings), f"{name}/{image} not in:\n{result.stderr}"
    assert not any("sida.html" in w for w in warnings), "a hyperlink is no loss"
    text = subprocess.run(["pdftotext", str(killed_then_rebuilt.out / DEMO / "kallelse.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Före bilden" in text and "Efter bilden" in text and "ODT-bilagan" in text


@pytest.mark.libreoffice
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_killed_protokoll_build_takes_libreoffice_with_it(sources, tmp_path):
    killed = kill_during_conversion("protokoll", sources, tmp_path / "packets")

    assert {Path(program).name for _, program in killed.running} >= {"oosplash", "soffice.bin"}
    assert killed.left == [], f"LibreOffice outlived the killed build: {killed.left}"


# --- run(): the same for every other program ----------------------------------------


def _dead(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_program_run_by_a_killed_process_dies_with_it(tmp_path):
    """run() (soffice --version, Poppler): a program and the helper it forked die when
    the process that ran it is killed with SIGKILL, which runs no cleanup code."""
    pids = tmp_path / "pids"
    runner = subprocess.Popen(
        [sys.executable, "-c", "import sys; from meetingdocs.tools.run import run; "
                               "run(['sh', '-c', 'sleep 300 & echo $$ $! > ' + sys.argv[1] + '; wait'], timeout=300)",
         str(pids)], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while not (pids.exists() and len(pids.read_text().split()) == 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        program, helper = map(int, pids.read_text().split())
        runner.kill()
        runner.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not (_dead(program) and _dead(helper)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _dead(program) and _dead(helper), "the program outlived the killed process"
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid in map(int, pids.read_text().split()) if pids.exists() else []:
            if not _dead(pid):
                os.kill(pid, signal.SIGKILL)
