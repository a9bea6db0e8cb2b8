"""Run an external program: log argv and stderr, enforce a timeout that
kills the whole process group (LibreOffice forks helpers that must die too),
and make that group die with us even when we are killed with SIGKILL.

Every program is started as the leader of a new session, so that its
helpers share its process group and one ``killpg`` ends them all
(LibreOffice: ``soffice`` execs ``oosplash``, which forks ``soffice.bin``).

Dying with the build: a process killed with SIGKILL runs no cleanup code,
and ``soffice.bin`` (a grandchild) would not see a parent-death signal. So
``dies_with_us`` starts a tiny watchdog process per program: it reads a
pipe whose write end only the build holds. When the build ends the program
normally it writes "done" and the watchdog exits; when the build dies, the
kernel closes the write end, the watchdog reads end-of-file without "done"
and SIGKILLs the program's process group.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Iterator, Sequence

log = logging.getLogger(__name__)

WATCHDOG_EXIT_TIMEOUT = 5.0

# The watchdog's whole program; it imports nothing of ours, so that it
# starts in milliseconds and works from any directory (python -I -S).
_WATCHDOG = """\
import os, signal, sys
said = b""
while True:
    try:
        chunk = os.read(0, 64)
    except OSError:
        break
    if not chunk:
        break
    said += chunk
if not said:
    try:
        os.killpg(int(sys.argv[1]), signal.SIGKILL)
    except OSError:
        pass
"""


class ToolTimeout(Exception):
    def __init__(self, argv: Sequence[str], timeout: float):
        super().__init__(f"{argv[0]} timed out after {timeout} s")
        self.argv = list(argv)
        self.timeout = timeout


def spawn(argv: Sequence[str | Path], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          stdout: int | IO | None = subprocess.PIPE, stderr: int | IO | None = subprocess.PIPE) -> subprocess.Popen:
    """Start ``argv`` as the leader of a new session and process group, stdin closed."""
    args = [str(a) for a in argv]
    log.debug("run: %s", " ".join(args))
    return subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)


def kill_process_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group that ``proc`` leads, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - kernel did not reap
        log.error("Programmet %s (process %s) gick inte att stoppa; starta om datorn om bygget inte går att köra igen.",
                  proc.args[0] if isinstance(proc.args, (list, tuple)) else proc.args, proc.pid)


def has_exited(proc: subprocess.Popen) -> bool:
    """Whether ``proc`` has exited, without reaping it.

    While the leader is not reaped its process group id cannot be reused,
    so ``kill_process_group`` afterwards reaches only its own stragglers.
    """
    if proc.returncode is not None:
        return True
    if not hasattr(os, "waitid"):  # pragma: no cover - not Linux
        return proc.poll() is not None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return proc.poll() is not None


class _Watchdog:
    """A separate process that SIGKILLs a process group unless told "done"."""

    def __init__(self, pgid: int):
        read_end, self._write_end = os.pipe()  # both non-inheritable
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(pgid)],
                stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )
        except BaseException:
            os.close(self._write_end)
            raise
        finally:
            os.close(read_end)

    def stand_down(self) -> None:
        """The group is finished (or killed by us): let the watchdog go without killing."""
        try:
            os.write(self._write_end, b"done")
        except OSError:  # pragma: no cover - the watchdog died early
            pass
        os.close(self._write_end)
        try:
            self._proc.wait(timeout=WATCHDOG_EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self._proc.kill()
            self._proc.wait()


@contextlib.contextmanager
def dies_with_us(proc: subprocess.Popen) -> Iterator[None]:
    """Have ``proc``'s process group SIGKILLed if this process dies inside the block.

    However this process ends (exception, SIGTERM, SIGKILL, power to the
    terminal cut) the group does not outlive it. The block must leave the
    group finished or killed; on leaving, the watchdog is told to stand down.
    """
    try:
        watchdog = _Watchdog(proc.pid) if sys.executable else None
    except OSError as exc:  # pragma: no cover - no Python to run the watchdog with
        log.debug("no watchdog for process group %s: %s", proc.pid, exc)
        watchdog = None
    try:
        yield
    finally:
        if watchdog is not None:
            watchdog.stand_down()


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
    The group is killed, too, if we are interrupted or die meanwhile.
    """
    proc = spawn(argv, cwd=cwd, env=env)
    args = proc.args
    with dies_with_us(proc):
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_process_group(proc)
            raise ToolTimeout(args, timeout) from None
        except BaseException:
            kill_process_group(proc)
            raise
    if err:
        log.debug("%s stderr: %s", Path(args[0]).name, err.decode("utf-8", "replace").strip())
    result = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, out, err)
    return result
