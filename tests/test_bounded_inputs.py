"""Hostile or runaway input is refused fast, with a short Swedish message.

Alias bombs, oversize files, impossible dates and file names that look alike
but differ in Unicode form: each is run through the real command line, and
must fail (or build) the way a secretary can act on, without a traceback and
without touching the packet built before.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from conftest import DEMO, run_build, warnings_in
from meetingdocs import limits
from meetingdocs import schema as s
from meetingdocs.errors import ExitCode, Problem, SourceError
from test_bad_input import CASE_WITH_PDF, MEETING, PDF_BILAGA, assert_refused, build, edit, out  # noqa: F401

CASE_MD = Path(DEMO) / "budget-2021.md"
MD_BILAGA = Path(DEMO) / "svenskt-ramverk" / "protokollsutdrag-2019-12-06-38.md"
COMMITTEE = Path("namnder") / "gns.yaml"
RECORD = Path(DEMO) / "protokoll.yaml"


def line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, start=1) if text.startswith(prefix))


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


# ------------------------------------------------------------------ YAML


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """'Billion laughs': each line refers ``width`` times to the line before it."""
    lines = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    lines += [f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_meeting_file_is_refused_fast_naming_file_and_line(sources, out):
    first = len((sources / MEETING).read_text(encoding="utf-8").splitlines()) + 1
    append(sources / MEETING, alias_bomb())
    started = time.monotonic()
    result = build(sources, out)
    assert time.monotonic() - started < 10
    assert_refused(result, out, ExitCode.input_invalid, str(sources / MEETING), "för många hänvisningar (&/*)")
    line = int(re.search(r"mote\.yaml, rad (\d+): filen använder för många", result.stderr).group(1))
    assert first <= line < first + 9
    assert len(result.stderr) < 2_000


@pytest.mark.parametrize("yaml_text, fragment", [
    ("x: &a [1, *a]\n", "pekar in i sig själv"),
    ("x: " + "[" * 5_000 + "]" * 5_000 + "\n", "för många nivåer"),
    ("x: &a " + "[" * 30 + "1" + "]" * 30 + "\ny: " + "[" * 30 + "*a" + "]" * 30 + "\n", "för många nivåer"),
], ids=["self-reference", "deep-brackets", "deep-through-alias"])
def test_runaway_yaml_structure_is_refused_with_the_line(sources, out, yaml_text, fragment):
    append(sources / MEETING, yaml_text)
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(sources / MEETING), fragment)
    assert re.search(r"mote\.yaml, rad \d+: ", result.stderr)


def test_a_few_aliases_still_work(sources, out):
    """The limit does not forbid ordinary use: the same list under two names."""
    edit(sources / MEETING, "övriga:\n", "övriga: &gaster\n")
    append(sources / MEETING, "extra mottagare: *gaster\n")
    edit(sources / MEETING, "datum: 2020-12-11", "datum: 2020-02-30")  # stop before conversion
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "Källfilerna innehåller ett fel:",
                   "'2020-02-30' är inget giltigt datum")
    assert "hänvisningar" not in result.stderr and "extra mottagare" not in result.stderr


def test_number_too_long_for_python_is_read_as_text(sources, out):
    edit(sources / MEETING, "- ärende: budget-2021", f"- ärende: budget-2021\n    nr: {'9' * 5_000}")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "nr ska vara ett heltal från 1", "punkt 4")


YAML_PIECES = list("ab:-&*[]{}!|>'\"#%@`,? \n\t0129.ä") + [
    "*a", "&a ", "*b", "&b ", "<<: ", "\n  ", "\n- ", "2020-02-30", "2020-12-11 25:00", "!!int ", "!!timestamp ",
    "!!binary ", "!!python/object ", "0x", "1e999", "9" * 5_000, "---\n", "...\n", "? ",
]


@pytest.mark.fuzz
@given(st.lists(st.sampled_from(YAML_PIECES)).map("".join))
def test_load_yaml_never_raises(text):
    """Whatever the text, the loader reports problems; it never raises."""
    problems: list[Problem] = []
    s.load_yaml(text, Path("x.yaml"), problems)
    assert all(isinstance(p, Problem) for p in problems)


# ------------------------------------------------------------------ dates


def test_impossible_date_in_meeting_file_names_file_field_and_line(sources, out):
    edit(sources / MEETING, "datum: 2020-12-11", "datum: 2020-02-30")
    result = build(sources, out)
    line = line_of(sources / MEETING, "datum:")
    assert_refused(result, out, ExitCode.input_invalid,
                   f"mote.yaml, rad {line}, fältet 'datum': '2020-02-30' är inget giltigt datum "
                   "(februari 2020 har 29 dagar)", "ÅÅÅÅ-MM-DD")
    assert "oväntat" not in result.stderr


def test_impossible_date_in_front_matter_names_file_field_and_line(sources, out):
    edit(sources / CASE_MD, "datum: 2020-12-03", "datum: 2020-11-31")
    result = build(sources, out)
    line = line_of(sources / CASE_MD, "datum:")
    assert_refused(result, out, ExitCode.input_invalid,
                   f"budget-2021.md, rad {line}, fältet 'datum': '2020-11-31' är inget giltigt datum "
                   "(november 2020 har 30 dagar)")


def test_impossible_date_in_protokoll_yaml(sources, tmp_path):
    edit(sources / RECORD, "  datum: 2020-12-16", "  datum: 2020-12-32")
    result = run_build("protokoll", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"protokoll\.yaml, rad \d+, fältet 'justering\.datum': '2020-12-32' är inget giltigt "
                     r"datum \(december 2020 har 31 dagar\)", result.stderr), result.stderr


# ------------------------------------------------------------------ sizes


def pad_to(path: Path, size: int, line: str) -> None:
    """Append copies of ``line`` (ASCII), then spaces, until the file has exactly ``size`` bytes."""
    missing = size - path.stat().st_size
    append(path, line * (missing // len(line)) + " " * (missing % len(line)))
    assert path.stat().st_size == size


@pytest.mark.parametrize("markdown", [CASE_MD, MD_BILAGA], ids=["tjänsteskrivelse", "bilaga"])
def test_oversize_markdown_is_refused_before_conversion(sources, out, markdown):
    pad_to(sources / markdown, limits.MAX_MARKDOWN_BYTES + 100_000, "\n\nFyllnadstext som ingen har skrivit.")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, f"{sources / markdown}: filen är för stor ("
                   f"{s.file_size_text(limits.MAX_MARKDOWN_BYTES + 100_000)}; högst "
                   f"{s.file_size_text(limits.MAX_MARKDOWN_BYTES)} tillåts)", "PDF-bilaga")
    assert "LibreOffice" not in result.stderr


@pytest.mark.parametrize("yaml_file", [MEETING, COMMITTEE], ids=["mote.yaml", "nämnd"])
def test_oversize_yaml_is_refused(sources, out, yaml_file):
    pad_to(sources / yaml_file, limits.MAX_YAML_BYTES + 100_000, "\n# " + "x" * 97)
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, f"{sources / yaml_file}: filen är för stor ("
                   f"{s.file_size_text(limits.MAX_YAML_BYTES + 100_000)}; högst "
                   f"{s.file_size_text(limits.MAX_YAML_BYTES)} tillåts)")


@pytest.mark.parametrize("size, limit, expected", [
    (5_234_567, 1_000_000, "(5,2 MB; högst 1 MB tillåts)"),
    (600_000, 500_000, "(600 kB; högst 500 kB tillåts)"),
    (150_000_000, 100_000_000, "(150 MB; högst 100 MB tillåts)"),
    (500_001, 500_000, "(500 001 byte; högst 500 000 byte tillåts)"),
])
def test_sizes_are_written_as_a_file_manager_shows_them(size, limit, expected):
    assert f"filen är för stor {expected}. Råd." == s.too_large_message(s.FileTooLarge(size, limit), "Råd.")


def test_oversize_bilaga_is_refused_before_it_is_read(sources, out):
    os.truncate(sources / PDF_BILAGA, 150_000_000)  # sparse: costs no disk
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, str(sources / CASE_WITH_PDF), "fältet 'bilagor[1].fil'",
                   "bilagan 'protokollsutdrag-2020-05-29-14.pdf' är för stor", "150 MB; högst 100 MB tillåts",
                   "Reducerad PDF")


def test_too_many_agenda_items(sources, out):
    items = "".join(f"  - Punkt {n}\n" for n in range(limits.MAX_AGENDA_ITEMS + 1))
    edit(sources / MEETING, "föredragningslista:\n", "föredragningslista:\n" + items)
    result = build(sources, out)
    total = len(re.findall(r"^  - ", (sources / MEETING).read_text(encoding="utf-8"), re.M)) - 2  # övriga
    assert total > limits.MAX_AGENDA_ITEMS
    assert_refused(result, out, ExitCode.input_invalid, "fältet 'föredragningslista'",
                   f"föredragningslistan har {total} punkter; högst {limits.MAX_AGENDA_ITEMS} går att ta med")
    assert "Varning" not in result.stderr, "no warning about every case left out"


def test_too_many_bilagor(sources, out):
    row = "  - fil: protokollsutdrag-2020-05-29-14.pdf\n    titel: Samma igen\n"
    edit(sources / CASE_WITH_PDF, "bilagor:\n", "bilagor:\n" + row * limits.MAX_BILAGOR_PER_CASE)
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "revisionsrapport", "fältet 'bilagor'",
                   f"har {limits.MAX_BILAGOR_PER_CASE + 1} bilagor")


# ---------------------------------------------------------------- messages


def test_long_value_is_shortened_in_the_message(sources, out):
    edit(sources / MEETING, 'tid: "09:00-12:00"', f'tid: "{"9" * (limits.MAX_YAML_BYTES - 1_000)}"')
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "fältet 'tid'", "9999…' är ingen tid")
    assert len(result.stderr) < 2_000


def test_many_problems_are_counted_not_listed(sources, out):
    count = limits.MAX_AGENDA_ITEMS - 11
    items = "".join(f"  - ärende: finns-inte-{n}\n" for n in range(count))
    edit(sources / MEETING, "föredragningslista:\n", "föredragningslista:\n" + items)
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, f"Källfilerna innehåller {count} fel:",
                   f"… och {count - limits.MAX_LISTED_PROBLEMS} fel till", "Inget har ändrats i packets/.")
    assert result.stderr.count("finns-inte-") <= limits.MAX_LISTED_PROBLEMS * 4
    assert len(result.stderr) <= limits.MAX_MESSAGE_CHARS + 2_000


def test_messages_are_capped_whatever_their_source():
    huge = SourceError([Problem(Path("x.yaml"), "x" * 1_000_000, field="f" * 10_000, line=n) for n in range(500)])
    assert len(huge.message) < limits.MAX_LISTED_PROBLEMS * (limits.MAX_PROBLEM_CHARS + limits.MAX_FIELD_CHARS + 50)
    assert "… och 450 fel till" in huge.message


def test_unexpected_error_text_is_capped(tmp_path):
    """The last line of defence: an exception with a huge text prints a short message."""
    script = ("import sys; from meetingdocs import cli\n"
              "def boom(*args): raise RuntimeError('x' * 5_000_000)\n"
              "cli._dispatch = boom\n"
              "sys.exit(cli.main(['list']))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == int(ExitCode.other_error)
    assert result.stderr.startswith("Fel: ett oväntat fel inträffade (RuntimeError: xxx")
    assert "Traceback" not in result.stderr and "Kör igen med -v" in result.stderr
    assert len(result.stderr) < 1_000


# -------------------------------------------------------------- file names


def nfd(name: str) -> str:
    return unicodedata.normalize("NFD", name)


@pytest.mark.libreoffice
def test_names_written_by_macos_in_nfd_are_found(sources, tmp_path):
    """A case folder, its tjänsteskrivelse and its bilaga all named in NFD on disk, in NFC in the sources."""
    meeting = sources / DEMO
    folder = meeting / nfd("granskning-å")
    (meeting / "revisionsrapport").rename(folder)
    (folder / "tjansteskrivelse.md").rename(folder / nfd("tjänsteskrivelse.md"))
    (folder / PDF_BILAGA.name).rename(folder / nfd("protokollsutdrag-§14-ärende.pdf"))
    edit(folder / nfd("tjänsteskrivelse.md"), "fil: protokollsutdrag-2020-05-29-14.pdf",
         "fil: protokollsutdrag-§14-ärende.pdf")
    edit(meeting / "mote.yaml", "ärende: revisionsrapport", "ärende: granskning-å")
    for name in ("granskning-å", "tjänsteskrivelse.md", "protokollsutdrag-§14-ärende.pdf"):
        assert name != nfd(name)
    result = run_build("packet", DEMO, sources=sources, out=tmp_path / "packets")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and warnings_in(result.stderr) == []
    bilaga = PdfReader(folder / nfd("protokollsutdrag-§14-ärende.pdf")).pages[0].extract_text().split()
    pages = PdfReader(tmp_path / "packets" / DEMO / "kallelse.pdf").pages
    packet = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert " ".join(bilaga[:12]) in packet
    assert "Revisionsrapport granskning av gemensamma nämnd" in packet


def test_name_with_invisible_character_is_explained_with_code_points(sources, out):
    edit(sources / CASE_WITH_PDF, "fil: protokollsutdrag-2020-05-29-14.pdf",
         "fil: protokollsutdrag-2020-05\u200b-29-14.pdf")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "fältet 'bilagor[1].fil'", "finns inte",
                   "Menade du 'protokollsutdrag-2020-05-29-14.pdf'?", "ser likadana ut",
                   "U+200B (ZERO WIDTH SPACE)")


def test_case_key_with_nbsp_is_explained(sources, out):
    (sources / DEMO / "budget-2021.md").rename(sources / DEMO / "budget 2021.md")
    edit(sources / MEETING, "ärende: budget-2021", "ärende: budget\u00a02021")
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "punkt 4", "Menade du 'budget 2021'?",
                   "U+00A0 (NO-BREAK SPACE) där namnet på disken har U+0020 (SPACE)")


@pytest.mark.parametrize("name, fragment", [
    ("a\\0b.pdf", "innehåller ett tecken som inte kan finnas i ett filnamn (U+0000 (NUL))"),
    ("x" * 300 + ".pdf", "är för långt för ett filnamn (högst 255 byte"),
], ids=["nul", "too-long"])
def test_bilaga_name_that_cannot_be_a_file_name(sources, out, name, fragment):
    edit(sources / CASE_WITH_PDF, "fil: protokollsutdrag-2020-05-29-14.pdf", f'fil: "{name}"')
    result = build(sources, out)
    assert_refused(result, out, ExitCode.input_invalid, "fältet 'bilagor[1].fil'", fragment, "Skriv namnet på nytt")


def test_bilaga_after_a_markdown_bilaga_is_checked(sources, out):
    """The second bilaga's line was once looked up in the first one's front matter (KeyError)."""
    case = sources / MD_BILAGA.parent / "tjansteskrivelse.md"
    title = '    titel: "§38 GNS Svenskt ramverk för digitalisering i samverkan"\n'
    edit(case, title, title + "  - fil: saknas.pdf\n    titel: Saknas\n")
    result = build(sources, out)
    line = line_of(case, "  - fil: saknas.pdf")
    assert_refused(result, out, ExitCode.input_invalid,
                   f"tjansteskrivelse.md, rad {line}, fältet 'bilagor[2].fil': bilagan 'saknas.pdf' finns inte")
