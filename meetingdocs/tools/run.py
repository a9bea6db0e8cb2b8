"""Run an external program: log argv and stderr, enforce a timeout that
kills the whole process group (LibreOffice forks helpers that must die too).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)


class ToolTimeout(Exception):
    def __init__(self, argv: Sequence[str], timeout: float):
        super().__init__(f"{argv[0]} timed out after {timeout} s")
        self.argv = list(argv)
        self.timeout = timeout


def kill_process_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group that ``proc`` leads, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - kernel did not reap
        log.error("process group %s did not die", proc.pid)


def run(
    argv: Sequence[str | Path],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run ``argv`` in its own process group with a timeout.

    Returns the completed process (stdout and stderr as bytes). Raises
    ``ToolTimeout`` when it overruns (after killing the group) and
    ``subprocess.CalledProcessError`` on a non-zero exit when ``check``.
    """
    args = [str(a) for a in argv]
    log.debug("run: %s", " ".join(args))
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_process_group(proc)
        raise ToolTimeout(args, timeout) from None
    if err:
        log.debug("%s stderr: %s", Path(args[0]).name, err.decode("utf-8", "replace").strip())
    result = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, out, err)
    return result
