"""Sekretess: what is marked secret reaches the members' packet, marked, and no public output.

The leak test gives the demo meeting a secret passage, a secret item and two secret bilagor (Markdown and
PDF), each with a unique marker string, and reads the outputs back with pdftotext and pypdf (text and
bookmarks): the internal kallelse holds every marker and its sekretessmarkering; the public kallelse
(packets/DATE/publik/kallelse.pdf) and the protokoll hold none, and the public packet keeps the items' titles
and dnr and says what was left out and why.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO, run_build
from meetingdocs import secrecy

PASSAGE = "HEMLIGPASSAGE7Q3"
ITEM = "HEMLIGTARENDE9X1"
MD_BILAGA = "HEMLIGMDBILAGA5T8"
PDF_BILAGA = "HEMLIGPDFBILAGA2K4"
MARKERS = (PASSAGE, ITEM, MD_BILAGA, PDF_BILAGA)
PERSONNUMMER = "19121212-1212"  # Skatteverket's example number (valid check digit)


# ------------------------------------------------------------------ the text


TEXT = """Första stycket.

::: sekretess OSL 21 kap. 1 §
Hemligt: HEMLIG.

- en punkt
:::

Sista stycket."""


def test_public_text_leaves_the_passage_out_and_says_so():
    public = secrecy.public_markdown(TEXT)
    assert "HEMLIG" not in public and "en punkt" not in public and ":::" not in public
    assert "Första stycket." in public and "Sista stycket." in public
    assert "Uppgifter som omfattas av sekretess enligt OSL 21 kap. 1 § har tagits bort." in public


def test_internal_text_keeps_the_passage_under_its_marking():
    internal = secrecy.internal_markdown(TEXT)
    assert "> **Sekretess enligt OSL 21 kap. 1 §**" in internal
    assert "> Hemligt: HEMLIG." in internal and "> - en punkt" in internal and ":::" not in internal


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a\n\n::: sekretess\nx\n:::\n", 3, "saknar grund"),
    ("a\n::: sekretess OSL 21 kap. 1 §\nx\n", 2, "avslutas aldrig"),
    ("a\n:::\n", 2, "hör inte till någon"),
    ("::: varning\nx\n:::\n", [1, 3], "hör inte till någon"),
    ("::: sekretess OSL 1\nx\n## Rubrik\n:::\n", 3, "rubrik"),
    ("::: sekretess OSL 1\n::: sekretess OSL 2\n:::\n", 2, "innan den förra"),
], ids=["utan-grund", "oavslutad", "ensam-avslutning", "annan-ruta", "rubrik-inuti", "nastlad"])
def test_wrong_markings_are_found_with_their_line(text, line, words):
    problems = secrecy.check(text)
    assert [p.line for p in problems if words in p.message] == (line if isinstance(line, list) else [line]), problems


def test_a_marking_inside_a_code_block_is_text():
    text = "```\n::: sekretess OSL 1\n```\n"
    assert secrecy.check(text) == [] and secrecy.public_markdown(text) == text


@pytest.mark.fuzz
@given(st.lists(st.one_of(st.sampled_from(["", "text", "- punkt", "> citat"]),
                          st.text(alphabet="abcåäö 1§.", min_size=1, max_size=12)), max_size=8),
       st.lists(st.text(alphabet="ABCXYZ", min_size=6, max_size=10), min_size=1, max_size=3))
def test_no_line_of_a_passage_survives_in_public(before, secrets):
    text = "\n".join(before + ["::: sekretess OSL 21 kap. 1 §", *secrets, ":::"] + before)
    assert secrecy.check(text) == []
    public = secrecy.public_markdown(text)
    for secret in secrets:
        assert secret not in public
    assert public.count("har tagits bort") == 1


# ------------------------------------------------------------- bad input


def test_an_unclosed_marking_stops_the_build_naming_file_and_line(sources):
    source = sources / DEMO / "sammantradestider-2021.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("## Förslag till beslut", "::: sekretess OSL 21 kap. 1 §\nHemligt.\n\n"
                                                              "## Förslag till beslut"), encoding="utf-8")
    line = source.read_text(encoding="utf-8").splitlines().index("::: sekretess OSL 21 kap. 1 §") + 1

    result = run_build("packet", DEMO, sources=sources, out=sources.parent / "packets")

    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "sammantradestider-2021.md" in result.stderr and f"rad {line}" in result.stderr
    assert "rubrik (# eller ##) kan inte stå inuti" in result.stderr


def test_a_secret_item_without_ground_is_refused(sources):
    source = sources / DEMO / "budget-2021.md"
    source.write_text(source.read_text(encoding="utf-8").replace("dnr: GNS/8/2020", "dnr: GNS/8/2020\nsekretess: ja"),
                      encoding="utf-8")

    result = run_build("packet", DEMO, sources=sources, out=sources.parent / "packets")

    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "budget-2021.md" in result.stderr and "sekretess" in result.stderr
    assert "OSL 21 kap. 1 §" in result.stderr  # the example of a ground


# ------------------------------------------------------------- leak test


def mark_demo_secret(root: Path) -> Path:
    """A copy of the demo sources with one secret of each kind, each carrying its marker."""
    sources = root / "sources"
    shutil.copytree(REPO / "sources", sources)
    mark_secrets(sources)
    return sources


def mark_secrets(sources: Path) -> None:
    """Mark, in the demo meeting under ``sources``, a passage (with a personnummer in it), the item Budget
    2021 and two bilagor (Markdown and a new PDF) secret; each secret text carries its marker."""
    meeting = sources / DEMO
    replace(meeting / "sammantradestider-2021.md", "## Förslag till beslut",
            f"::: sekretess OSL 21 kap. 1 §\nUppgift om en enskild: {PASSAGE}, {PERSONNUMMER}.\n:::\n\n"
            "## Förslag till beslut")
    replace(meeting / "budget-2021.md", "dnr: GNS/8/2020", "dnr: GNS/8/2020\nsekretess: OSL 19 kap. 1 §")
    replace(meeting / "budget-2021.md", "## Ärendebeskrivning\n", f"## Ärendebeskrivning\n\nAffärsuppgift {ITEM}.\n")
    report = meeting / "delarsrapport-augusti-2020"
    replace(report / "tjansteskrivelse.md", "  - fil: delarsrapport-augusti-2020.md\n",
            "  - fil: delarsrapport-augusti-2020.md\n    sekretess: OSL 31 kap. 16 §\n")
    replace(report / "delarsrapport-augusti-2020.md", "## Ekonomiskt resultat", f"{MD_BILAGA}\n\n## Ekonomiskt resultat")
    drawing = canvas.Canvas(str(report / "avtal.pdf"))
    drawing.drawString(72, 720, f"Avtalsvillkor {PDF_BILAGA}")
    drawing.save()
    replace(report / "tjansteskrivelse.md", "bilagor:\n",
            "bilagor:\n  - fil: avtal.pdf\n    titel: Avtal med leverantören\n    sekretess: OSL 31 kap. 16 §\n")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    reader = PdfReader(path)
    titles = []

    def walk(nodes):
        for node in nodes:
            if isinstance(node, list):
                walk(node)
            else:
                titles.append(node.title)

    walk(reader.outline)
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    return "\n".join([text, *titles, metadata])


@pytest.fixture(scope="module")
def secret_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sekretess")
    sources = mark_demo_secret(root)
    packets = root / "packets"
    for command in ("packet", "protokoll"):
        result = run_build(command, DEMO, sources=sources, out=packets)
        assert result.returncode == 0, result.stderr
        if command == "packet":  # the members' packet warns about the number inside the secret passage
            assert "sammantradestider-2021.md, rad" in result.stderr and "19121212-****" in result.stderr
            assert PERSONNUMMER not in result.stderr and "görs inte" not in result.stderr
    return packets / DEMO




@pytest.mark.libreoffice
def test_the_internal_packet_holds_every_secret_with_its_marking(secret_build):
    text = pdf_text(secret_build / "kallelse.pdf")
    for marker in MARKERS:
        assert marker in text, marker
    flat = re.sub(r"\s+", " ", text)
    for ground in ("OSL 21 kap. 1 §", "OSL 19 kap. 1 §", "OSL 31 kap. 16 §"):
        assert f"Sekretess enligt {ground}" in flat or f"sekretess enligt {ground}" in flat, ground


@pytest.mark.libreoffice
def test_no_public_output_holds_any_secret(secret_build):
    public = [secret_build / "publik" / "kallelse.pdf", secret_build / "protokoll.pdf",
              *sorted((secret_build / "utdrag").glob("*.pdf")), *sorted(secret_build.glob("anslagsbevis*.pdf"))]
    assert len(public) > 5
    for path in public:
        text = pdf_text(path)
        for marker in (*MARKERS, PERSONNUMMER):
            assert marker not in text, (path.name, marker)


@pytest.mark.libreoffice
def test_the_public_packet_keeps_titles_and_dnr_and_says_what_was_left_out(secret_build):
    flat = re.sub(r"\s+", " ", pdf_text(secret_build / "publik" / "kallelse.pdf"))
    assert "Budget 2021" in flat and "GNS/8/2020" in flat
    assert "Handlingen omfattas av sekretess (OSL 19 kap. 1 §)." in flat
    assert "Handlingen omfattas av sekretess (OSL 31 kap. 16 §)." in flat
    assert "Avtal med leverantören" in flat
    assert "Uppgifter som omfattas av sekretess enligt OSL 21 kap. 1 § har tagits bort." in flat
    reader = PdfReader(secret_build / "publik" / "kallelse.pdf")
    assert len(reader.outline) > 5  # bookmarks of its own (the build's verify checks them against the parts)


@pytest.mark.libreoffice
def test_a_personnummer_outside_the_secret_parts_keeps_the_public_packet_from_being_made(sources, tmp_path):
    replace(sources / DEMO / "sammantradestider-2021.md", "## Förslag till beslut",
            f"Kontaktperson: {PERSONNUMMER}.\n\n## Förslag till beslut")
    line = (sources / DEMO / "sammantradestider-2021.md").read_text(encoding="utf-8").splitlines().index(
        f"Kontaktperson: {PERSONNUMMER}.") + 1
    packets = tmp_path / "packets"
    (packets / DEMO / "publik").mkdir(parents=True)
    (packets / DEMO / "publik" / "kallelse.pdf").write_bytes(b"%PDF-1.7 an old public packet")

    result = run_build("packet", DEMO, sources=sources, out=packets)

    assert result.returncode == 0, result.stderr  # the members' packet is made
    assert (packets / DEMO / "kallelse.pdf").is_file()
    assert not (packets / DEMO / "publik").exists()  # and no public packet, not even the old one
    refusal = result.stderr[result.stderr.index("Den offentliga kallelsen"):]
    assert f"sammantradestider-2021.md, rad {line}: personnummer (19121212-****)" in refusal
    assert "::: sekretess" in refusal and PERSONNUMMER not in result.stderr


@pytest.mark.libreoffice
def test_every_page_of_a_secret_document_carries_its_marking_beside_the_page_number(secret_build):
    def marked_pages(path: Path) -> list[int]:
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return [n for n, page in enumerate(text.split("\f"), start=1) if re.search(r"Sekretess enligt OSL [^\n]*§ – Sida \d+ av \d+", page)]

    internal = subprocess.run(["pdftotext", str(secret_build / "kallelse.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout.split("\f")
    avtal = next(n for n, page in enumerate(internal, start=1) if PDF_BILAGA in page)
    budget = [n for n, page in enumerate(internal, start=1) if ITEM in page and "Dnr GNS/8/2020" in page]
    assert avtal in marked_pages(secret_build / "kallelse.pdf")
    assert budget and set(budget) <= set(marked_pages(secret_build / "kallelse.pdf"))  # its tjänsteskrivelse
    assert f"Sekretess enligt OSL 31 kap. 16 § – Sida {avtal} av" in internal[avtal - 1]
    assert marked_pages(secret_build / "publik" / "kallelse.pdf") == []


@pytest.mark.libreoffice
def test_the_email_preview_with_a_link_holds_no_secret(secret_build):
    """A kallelse too large to attach goes out as a link to the published (public) packet: the messages
    themselves, text and headers, hold nothing marked secret."""
    from test_send_support import free_port, smtp_env

    sources = secret_build.parent.parent / "sources"
    (sources / "utskick.yaml").write_text("storleksgräns: 0.1\n", encoding="utf-8")
    env = smtp_env(free_port(), MEETINGDOCS_PUBLIC_URL="https://www.example.org/namnd/{nämnd}/{datum}/{fil}")

    result = run_build("send", DEMO, sources=sources, out=secret_build.parent, env=env, timeout=60)

    assert result.returncode == 0, result.stderr
    messages = sorted((secret_build / "utskick" / "kallelse").glob("*.eml"))
    assert messages
    for path in messages:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        assert "https://www.example.org/namnd/gns/2020-12-11/kallelse.pdf" in body
        assert list(message.iter_attachments()) == []  # the link, not the file
        text = body + "".join(f"{key}: {value}" for key, value in message.items())
        for marker in (*MARKERS, PERSONNUMMER):
            assert marker not in text, (path.name, marker)
