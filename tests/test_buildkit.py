"""Build plumbing: all-or-nothing publishing and work folders of killed builds.

"A file that cannot be replaced" is made real with ``chattr +i`` (immutable:
not even root may rename it), the closest Linux has to a file held open by
Word on a Windows share. Those tests need root and an ext4-like file system
and are skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DEMO, run_build
from meetingdocs.buildkit import LOCK_FILE, publish, remove_abandoned, work_folder
from meetingdocs.errors import ExitCode, PublishError


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@contextlib.contextmanager
def immutable(path: Path):
    """Make ``path`` impossible to rename or replace, for the duration."""
    if not _chattr("+i", path):
        pytest.skip("chattr +i is not available (needs root on ext4)")
    try:
        yield path
    finally:
        _chattr("-i", path)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _stage(root: Path, files: dict[str, str]) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    staged = {}
    for name, content in files.items():
        (root / name).write_text(content)
        staged[name] = root / name
    return staged


# ----------------------------------------------------------------- publish


def test_publish_replaces_every_file_and_leaves_no_backup(tmp_path):
    target = tmp_path / "ut"
    _stage(target, {"a.pdf": "old a", "b.docx": "old b"})
    staged = _stage(tmp_path / "work", {"a.pdf": "new a", "b.docx": "new b"})
    placed = publish(target, staged)
    assert placed == [target / "a.pdf", target / "b.docx"]
    assert _snapshot(target) == {"a.pdf": b"new a", "b.docx": b"new b"}
    assert sorted(p.name for p in target.iterdir()) == ["a.pdf", "b.docx"]


def test_publish_puts_everything_back_when_one_file_cannot_be_replaced(tmp_path):
    target = tmp_path / "ut"
    _stage(target, {"a.pdf": "old a", "b.docx": "old b", "c.pdf": "old c"})
    staged = _stage(tmp_path / "work", {"a.pdf": "new a", "b.docx": "new b", "c.pdf": "new c"})
    with immutable(target / "b.docx"):
        with pytest.raises(PublishError) as caught:
            publish(target, staged)
        assert _snapshot(target) == {"a.pdf": b"old a", "b.docx": b"old b", "c.pdf": b"old c"}
        assert sorted(p.name for p in target.iterdir()) == ["a.pdf", "b.docx", "c.pdf"]
    message = caught.value.message
    assert "b.docx kunde inte ersättas" in message and "öppen i ett annat program" in message
    assert "Inget har ändrats" in message
    assert caught.value.exit_code == ExitCode.publish_failed
    # The new files are still in the work folder, untouched.
    assert _snapshot(tmp_path / "work") == {"a.pdf": b"new a", "b.docx": b"new b", "c.pdf": b"new c"}


def test_publish_removes_an_obsolete_file_of_the_set_or_keeps_it_on_failure(tmp_path):
    target = tmp_path / "ut"
    _stage(target, {"protokoll.pdf": "old", "anslagsbevis.pdf": "old bevis"})
    publish(target, _stage(tmp_path / "w1", {"protokoll.pdf": "new"}), obsolete=("anslagsbevis.pdf",))
    assert _snapshot(target) == {"protokoll.pdf": b"new"}

    _stage(target, {"anslagsbevis.pdf": "old bevis"})
    (target / "utdrag").mkdir()
    with immutable(target / "utdrag"):
        staged = _stage(tmp_path / "w2", {"protokoll.pdf": "newer"})
        (tmp_path / "w2" / "utdrag").mkdir()
        staged["utdrag"] = tmp_path / "w2" / "utdrag"
        with pytest.raises(PublishError):
            publish(target, staged, obsolete=("anslagsbevis.pdf",))
        assert _snapshot(target) == {"protokoll.pdf": b"new", "anslagsbevis.pdf": b"old bevis"}


# ------------------------------------------------------------ work folders


def _holder(folder: Path) -> subprocess.Popen:
    """A separate process that holds the folder's lock, as a running build does."""
    code = ("import fcntl, sys, time\n"
            f"f = open({str(folder / LOCK_FILE)!r}, 'w')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _process_naming(folder: Path, program: str, bin_dir: Path) -> subprocess.Popen:
    """A process called ``program`` whose command line names the folder, as soffice's -env:UserInstallation does."""
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / program
    if not link.exists():
        link.symlink_to(Path(sys.executable).resolve())  # /proc/PID/comm is the name it was started by
    proc = subprocess.Popen([str(link), "-c", "import time; time.sleep(120)",
                             f"-env:UserInstallation={(folder / 'lo-profil').resolve().as_uri()}"])
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 10
    while str(folder).encode() not in cmdline.read_bytes():  # until exec has replaced the forked copy
        assert time.monotonic() < deadline, "the stand-in for soffice did not start"
        time.sleep(0.01)
    return proc


def test_folders_of_killed_builds_are_removed_and_their_programs_killed(tmp_path):
    killed_build = tmp_path / f".bygge-{DEMO}-dead"
    running_build = tmp_path / f".bygge-{DEMO}-alive"
    old_unlocked = tmp_path / f".bygge-{DEMO}-old"
    fresh_unlocked = tmp_path / f".bygge-{DEMO}-fresh"
    for folder in (killed_build, running_build, old_unlocked, fresh_unlocked):
        folder.mkdir()
    (killed_build / LOCK_FILE).write_text("")
    holder = _holder(running_build)
    leftover = _process_naming(killed_build, "soffice.bin", tmp_path / "bin")
    reader = _process_naming(killed_build, "evince", tmp_path / "bin")  # the secretary looking at a file there
    old = time.time() - 3600
    for folder in (killed_build, running_build, old_unlocked):
        os.utime(folder, (old, old))
    try:
        removed = remove_abandoned(tmp_path)
        assert leftover.wait(timeout=10) == -9
        assert reader.poll() is None, "a program that is not LibreOffice was killed"
    finally:
        for proc in (holder, leftover, reader):
            proc.kill()
    assert sorted(removed) == sorted([killed_build, old_unlocked])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running_build.name, fresh_unlocked.name, "bin"])


def test_work_folder_is_locked_while_in_use_and_removed_after(tmp_path):
    with work_folder(tmp_path, DEMO) as work:
        assert work.parent == tmp_path and (work / LOCK_FILE).is_file()
        with open(work / LOCK_FILE) as other:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert remove_abandoned(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------- through the commands


@pytest.mark.libreoffice
def test_packet_is_published_whole_or_not_at_all(tmp_path, sources, demo_build):
    out = tmp_path / "packets"
    shutil.copytree(demo_build, out / DEMO)
    before = _snapshot(out / DEMO)
    case = sources / DEMO / "budget-2021.md"
    case.write_text(case.read_text(encoding="utf-8").replace("Budget 2021", "Budget 2021 (rättad)", 1),
                    encoding="utf-8")
    with immutable(out / DEMO / "kallelse.docx"):
        result = run_build("packet", DEMO, sources=sources, out=out)
        assert _snapshot(out / DEMO) == before
    assert result.returncode == ExitCode.publish_failed, result.stderr
    assert "Traceback" not in result.stderr
    assert "kallelse.docx kunde inte ersättas" in result.stderr
    assert "öppen i ett annat program" in result.stderr and "Inget har ändrats" in result.stderr
    assert "oväntat fel" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [DEMO]
    assert not any(p.name.startswith(".") for p in (out / DEMO).iterdir())

    again = run_build("packet", DEMO, sources=sources, out=out)
    assert again.returncode == 0, again.stderr
    assert _snapshot(out / DEMO)["kallelse.pdf"] != before["kallelse.pdf"]


@pytest.mark.libreoffice
def test_protokoll_set_is_published_whole_or_not_at_all(tmp_path):
    out = tmp_path / "packets"
    earlier = out / DEMO
    (earlier / "utdrag").mkdir(parents=True)
    for name in ("protokoll.pdf", "protokoll.docx", "anslagsbevis.pdf", "utdrag/protokollsutdrag-40.pdf"):
        (earlier / name).write_text(f"earlier {name}")
    before = _snapshot(earlier)
    with immutable(earlier / "anslagsbevis.pdf"):
        result = run_build("protokoll", DEMO, out=out)
        assert _snapshot(earlier) == before
    assert result.returncode == ExitCode.publish_failed, result.stderr
    assert "Traceback" not in result.stderr
    assert "anslagsbevis.pdf kunde inte ersättas" in result.stderr and "Inget har ändrats" in result.stderr
    assert sorted(p.name for p in earlier.iterdir()) == sorted(["protokoll.pdf", "protokoll.docx",
                                                                 "anslagsbevis.pdf", "utdrag"])


def test_backup_left_by_a_killed_publish_is_kept_not_deleted(tmp_path):
    meeting = tmp_path / DEMO
    backup = meeting / ".ersatt-abc123"
    backup.mkdir(parents=True)
    (backup / "kallelse.pdf").write_text("the only copy")
    empty = meeting / ".ersatt-def456"
    empty.mkdir()
    old = time.time() - 3600
    for folder in (backup, empty):
        os.utime(folder, (old, old))
    remove_abandoned(tmp_path)
    kept = [p for p in meeting.iterdir()]
    assert len(kept) == 1 and kept[0].name.startswith("tidigare-filer-")
    assert (kept[0] / "kallelse.pdf").read_text() == "the only copy"
