"""Bad input: each gives a Swedish message naming the file and field or line,
a non-zero exit, no traceback, and leaves the previous packet untouched.

Each test breaks a private copy of the demo sources the way a busy secretary
might, then runs the real command line.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import DEMO, run_build
from meetingdocs.errors import ExitCode

PREVIOUS = b"%PDF-1.4 the packet from yesterday\n"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """packets/ with yesterday's packet in it."""
    folder = tmp_path / "packets"
    (folder / DEMO).mkdir(parents=True)
    (folder / DEMO / "kallelse.pdf").write_bytes(PREVIOUS)
    return folder


def build(sources: Path, out: Path, date: str = DEMO, env: dict | None = None):
    return run_build("packet", date, sources=sources, out=out, env=env)


def assert_refused(result, out: Path, code: ExitCode, *fragments: str) -> None:
    assert result.returncode == int(code), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(("Fel:", "Läser", "Varning:"))
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} saknas i:\n{result.stderr}"
    assert (out / DEMO / "kallelse.pdf").read_bytes() == PREVIOUS
    assert sorted(p.name for p in (out / DEMO).iterdir()) == ["kallelse.pdf"]
    assert not [p for p in out.iterdir() if p.name.startswith(".bygge")], "temporary folder left behind"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASE_WITH_PDF = Path(DEMO) / "revisionsrapport" / "tjansteskrivelse.md"
PDF_BILAGA = Path(DEMO) / "revisionsrapport" / "protokollsutdrag-2020-05-29-14.pdf"
DOCX_BILAGA = Path(DEMO) / "aterstaende-medel-2018" / "protokollsutdrag-2020-02-14-8.docx"
MEETING = Path(DEMO) / "mote.yaml"


# ------------------------------------------------------------- arguments


@pytest.mark.parametrize("date", ["", "2020-13", "2020-13-01", "11 december", "2020/12/11"])
def test_missing_or_malformed_date_says_how_and_lists_meetings(sources, out, date):
    result = build(sources, out, date)
    assert_refused(result, out, ExitCode.bad_args, "make packet DATE=ÅÅÅÅ-MM-DD", DEMO)


def test_unknown_date_lists_meetings(sources, out):
    result = build(sources, out, "2021-01-01")
    assert_refused(result, out, ExitCode.bad_args, "2021-01-01", DEMO)


# ---------------------------------------------------------------- bilagor


def test_misspelled_bilaga_names_file_field_and_suggests(sources, out):
    edit(sources / CASE_WITH_PDF, "protokollsutdrag-2020-05-29-14.pdf", "protokolsutdrag-2020-05-29-14.pdf")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(sources / CASE_WITH_PDF), "bilagor[1].fil",
                   "finns inte", "Menade du 'protokollsutdrag-2020-05-29-14.pdf'")
    assert re.search(r"tjansteskrivelse\.md, rad \d+", result.stderr)


def test_missing_bilaga(sources, out):
    (sources / PDF_BILAGA).unlink()
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "protokollsutdrag-2020-05-29-14.pdf", "finns inte")


def test_bilaga_outside_the_meeting_folder(sources, out):
    edit(sources / CASE_WITH_PDF, "fil: protokollsutdrag-2020-05-29-14.pdf", "fil: ../../namnder/gns.yaml")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "utanför sammanträdets mapp", "bilagor[1].fil")


def test_unsupported_bilaga_type(sources, out):
    (sources / PDF_BILAGA).with_suffix(".doc").write_bytes(b"old word")
    edit(sources / CASE_WITH_PDF, "14.pdf", "14.doc")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, ".doc", "Spara den som PDF, Word (.docx)")


def test_encrypted_pdf(sources, out):
    writer = PdfWriter(clone_from=str(sources / PDF_BILAGA))
    writer.encrypt(user_password="hemligt", owner_password="hemligt")
    with (sources / PDF_BILAGA).open("wb") as handle:
        writer.write(handle)
    assert PdfReader(sources / PDF_BILAGA).is_encrypted
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "protokollsutdrag-2020-05-29-14.pdf", "lösenordsskyddad")


def test_corrupt_pdf(sources, out):
    data = (sources / PDF_BILAGA).read_bytes()
    (sources / PDF_BILAGA).write_bytes(data[:200])
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "protokollsutdrag-2020-05-29-14.pdf", "skadad")


def test_corrupt_docx(sources, out):
    (sources / DOCX_BILAGA).write_bytes(b"this is not a word file" * 50)
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "protokollsutdrag-2020-02-14-8.docx",
                   "ingen riktig Word-fil")


# ----------------------------------------------------------------- agenda


def test_unknown_agenda_reference(sources, out):
    edit(sources / MEETING, "ärende: budget-2021", "ärende: budget-2012")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(sources / MEETING), "budget-2012", "finns inte",
                   "Menade du 'budget-2021'", "punkt 4")


def test_duplicate_item_numbers(sources, out):
    text = (sources / MEETING).read_text(encoding="utf-8")
    text = text.replace("- ärende: budget-2021", "- ärende: budget-2021\n    nr: 3", 1)
    (sources / MEETING).write_text(text, encoding="utf-8")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "punktnummer 3 används redan av punkt 3")


def test_same_case_twice(sources, out):
    edit(sources / MEETING, "ärende: budget-2021", "ärende: sammantradestider-2021")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "sammantradestider-2021", "redan som punkt 3")


# ------------------------------------------------------------------- YAML


def test_malformed_yaml_in_meeting_file_names_the_line(sources, out):
    text = (sources / MEETING).read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text) if t.startswith("plats:"))
    text[line] = "plats: [Lillsjöhögen, Via Teams"
    (sources / MEETING).write_text("\n".join(text) + "\n", encoding="utf-8")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(sources / MEETING), "YAML")
    reported = int(re.search(r"mote\.yaml, rad (\d+)", result.stderr).group(1))
    assert line + 1 <= reported <= line + 3


def test_malformed_front_matter_names_file_and_line(sources, out):
    case = sources / DEMO / "budget-2021.md"
    edit(case, "dnr: GNS/8/2020", 'dnr: "GNS/8/2020')
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(case), "YAML", "rad ")


def test_missing_required_field(sources, out):
    case = sources / DEMO / "budget-2021.md"
    edit(case, "dnr: GNS/8/2020\n", "")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(case), "fältet 'dnr'", "saknas")


def test_missing_section(sources, out):
    case = sources / DEMO / "budget-2021.md"
    edit(case, "## Förslag till beslut", "## Förslag")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(case), "'## Förslag till beslut' saknas")


def test_all_problems_are_reported_at_once(sources, out):
    edit(sources / DEMO / "budget-2021.md", "dnr: GNS/8/2020\n", "")
    (sources / PDF_BILAGA).unlink()
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "2 fel", "budget-2021.md", "revisionsrapport")


def test_unknown_field_is_a_warning_with_a_suggestion(sources, out):
    """A typo warns (and names file, line and the likely field); the error beside it stops the build."""
    case = sources / DEMO / "budget-2021.md"
    edit(case, "föredragande:", "föredragand:")
    edit(case, "dnr: GNS/8/2020\n", "")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "Varning:", "föredragand", "Menade du 'föredragande'")


# ------------------------------------------------------------- conversion


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/usr/bin/env bash\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


@pytest.mark.libreoffice
def test_docx_libreoffice_cannot_convert_names_the_bilaga(sources, out, tmp_path):
    """Fault injection: LibreOffice converts everything but the Word bilaga."""
    script = fake_soffice(tmp_path, r'''
if [ "$1" = "--version" ]; then exec /usr/bin/soffice --version; fi
args=()
for a in "$@"; do case "$a" in *-2-bilaga-01.docx) case "$a" in */06-*) continue;; esac;; esac; args+=("$a"); done
exec /usr/bin/soffice "${args[@]}"
''')
    result = build(sources, out, env={"MEETINGDOCS_SOFFICE": str(script)})
    assert_refused(result, out, ExitCode.conversion_failed, str(sources / DOCX_BILAGA), "kunde inte konvertera")
    assert ".bygge" not in result.stderr


@pytest.mark.libreoffice
def test_docx_that_hangs_libreoffice_is_stopped(sources, out, tmp_path):
    """Fault injection: a LibreOffice that never answers; the whole process group is killed."""
    pids = tmp_path / "pids"
    script = fake_soffice(tmp_path, f'''
if [ "$1" = "--version" ]; then echo "LibreOffice 7.4.7.2 fake"; exit 0; fi
sleep 300 &
echo $! >> {pids}
sleep 300
''')
    result = build(sources, out, env={"MEETINGDOCS_SOFFICE": str(script), "MEETINGDOCS_LO_TIMEOUT": "2"})
    assert_refused(result, out, ExitCode.conversion_failed, "svarade inte på 2 sekunder",
                   str(sources / MEETING))
    import os
    import time

    for pid in pids.read_text().split():
        for _ in range(50):
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"process {pid} from the hung LibreOffice is still running")
