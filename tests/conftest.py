"""Shared fixtures: copies of the demo sources and real runs of build.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


# The demo's received PDF bilaga (revisionsrapport/protokollsutdrag-2020-05-29-14.pdf) is untagged on
# purpose, so every demo build warns that it keeps the packet from PDF/UA (tests/test_received_accessibility.py).
ACCESSIBILITY_ADVICE = " — be avsändaren om "


def warnings_in(stderr: str) -> list[str]:
    """The "Varning:" lines of a build, without the accessibility report on received bilagor."""
    return [line for line in stderr.splitlines()
            if line.startswith("Varning") and ACCESSIBILITY_ADVICE not in line]


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A private copy of sources/ to break on purpose."""
    target = tmp_path / "sources"
    shutil.copytree(REPO / "sources", target)
    return target


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The demo meeting built once per test session; returns packets/DATE/."""
    out = tmp_path_factory.mktemp("packets")
    result = run_build("packet", DEMO, out=out)
    assert result.returncode == 0, result.stderr
    return out / DEMO
