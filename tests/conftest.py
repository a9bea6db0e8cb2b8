"""Shared fixtures: copies of the demo sources and real runs of build.py."""

from __future__ import annotations

import compileall
import fcntl
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests: a few hundred examples in `make test`, at least
# 10,000 in `make fuzz` (--hypothesis-profile=fuzz). No example database is
# written into the clone.
settings.register_profile("default", max_examples=300, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=10_000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")

REPO = Path(__file__).resolve().parent.parent
DEMO = "2020-12-11"

# Under pytest-xdist every core already runs a worker: one LibreOffice process per build keeps the cores
# from being oversubscribed (tests/test_libreoffice.py sets the number itself to test parallel conversion).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("MEETINGDOCS_LO_PROCESSES", "1")


def run_build(*args: str | Path, sources: Path | None = None, out: Path | None = None,
              env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line, as `make packet` does."""
    argv = [sys.executable, str(REPO / "build.py")]
    if sources is not None:
        argv += ["--sources", str(sources)]
    if out is not None:
        argv += ["--out", str(out)]
    argv += [str(a) for a in args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


# Ends every warning about a received bilaga that keeps the packet from PDF/UA (tests/test_received_accessibility.py).
# The demo's own bilagor are tagged and warn about nothing; a test that adds an untagged PDF bilaga of its own
# (tests/test_sanitize.py) leaves these warnings out with it.
ACCESSIBILITY_ADVICE = " — be avsändaren om "


_LOGGING_SOFFICE = """\
#!/bin/sh
for a in "$@"; do case "$a" in *.docx|*.odt) echo "$(basename "$a")" >> "$SOFFICE_LOG";; esac; done
exec "{real}" "$@"
"""


def logging_soffice(folder: Path) -> Path:
    """A wrapper around the real soffice (for $MEETINGDOCS_SOFFICE) that logs the name of every document it is
    given to the file $SOFFICE_LOG: which documents a build had LibreOffice convert."""
    from meetingdocs.tools import libreoffice

    script = folder / "soffice-som-loggar"
    script.write_text(_LOGGING_SOFFICE.format(real=libreoffice.soffice_path()), encoding="utf-8")
    script.chmod(0o755)
    return script


def converted(log: Path) -> list[str]:
    """The documents logged by ``logging_soffice``, in order."""
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def warnings_in(stderr: str) -> list[str]:
    """The "Varning:" lines of a build."""
    return [line for line in stderr.splitlines() if line.startswith("Varning")]


@pytest.fixture(scope="session", autouse=True)
def bytecode() -> None:
    """meetingdocs/ compiled once, so that each of the hundreds of build.py runs below loads its modules
    instead of compiling them again (0.15-0.2 s a run where PYTHONDONTWRITEBYTECODE is set)."""
    compileall.compile_dir(REPO / "meetingdocs", quiet=1)


@pytest.fixture(scope="session", autouse=True)
def build_cache(tmp_path_factory) -> Path:
    """One build cache for the whole run, shared by the xdist workers (it is safe for concurrent builds):
    never the project's own .cache/. Tests of the cache itself give their builds a folder of their own."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "bygg-cache"
    os.environ["MEETINGDOCS_CACHE"] = str(folder)
    return folder


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A private copy of sources/ to break on purpose."""
    target = tmp_path / "sources"
    shutil.copytree(REPO / "sources", target)
    return target


@dataclass(frozen=True)
class SharedBuild:
    folder: Path  # packets/DATE/
    returncode: int
    stderr: str


def shared_build(tmp_path_factory: pytest.TempPathFactory, command: str) -> SharedBuild:
    """`build.py COMMAND 2020-12-11` of the demo as shipped, run once per test run.

    Under pytest-xdist (`make test`) the workers share it: the first one to need it
    builds under a lock in the run's common temporary folder, the others wait for it
    and read its result. Tests only read what it made; copy it to change anything.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-N/, above each worker's own popen-gwN/
    root = root / f"demo-{command}"
    root.mkdir(exist_ok=True)
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = root / "result.json"
        if not record.exists():
            result = run_build(command, DEMO, out=root / "packets")
            record.write_text(json.dumps({"returncode": result.returncode, "stderr": result.stderr}),
                              encoding="utf-8")
        done = json.loads(record.read_text(encoding="utf-8"))
    return SharedBuild(root / "packets" / DEMO, done["returncode"], done["stderr"])


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The demo meeting's packet, built once per test run; returns packets/DATE/ (read only)."""
    built = shared_build(tmp_path_factory, "packet")
    assert built.returncode == 0, built.stderr
    return built.folder


@pytest.fixture(scope="session")
def demo_minutes(tmp_path_factory) -> Path:
    """The demo meeting's protokoll, utdrag and anslagsbevis, built once per test run; returns
    packets/DATE/ (read only)."""
    built = shared_build(tmp_path_factory, "protokoll")
    assert built.returncode == 0, built.stderr
    return built.folder
