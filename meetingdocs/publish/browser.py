"""A headless Chromium driven over the DevTools protocol: for the site's tests and its screenshots.

Chromium (Debian's package ``chromium``) is started with
``--remote-debugging-pipe``: it reads protocol messages (JSON, each ended by
a NUL byte) from file descriptor 3 and writes its answers and events to
descriptor 4. No network port is opened and no package beyond Python is
needed. Every wait has a time limit; the browser and everything it started
are stopped when the ``with`` block ends, also after an error.

    with Chromium() as browser:
        page = browser.new_page()
        page.navigate("http://127.0.0.1:8000/index.html")
        title = page.evaluate("document.title")

``python -m meetingdocs.publish.browser ADDRESS FILE.png [BREDD]`` saves a
screenshot of a whole page (the README's pictures of the site).
"""

from __future__ import annotations

import base64
import fcntl
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError

PROGRAM = "chromium"
INSTALL = "sudo apt-get install chromium (eller kör make setup)"
# For a machine without a display, a sandbox or a GPU, and without any traffic of its own.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
         "--remote-debugging-pipe")
TIMEOUT = 30.0  # seconds for one answer or one page load
HIGH_FD = 10  # the pipe ends are kept above the descriptors 3 and 4 that Chromium reads


class BrowserError(RuntimeError):
    """Chromium answered with an error, stopped, or did not answer in time."""


def _high(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, HIGH_FD)
    os.close(fd)
    return moved


class Chromium:
    def __init__(self, program: str | None = None, timeout: float = TIMEOUT):
        self.program = program or shutil.which(PROGRAM)
        if self.program is None:
            raise MissingDependencyError(f"Chromium saknas (programmet {PROGRAM}). Installera det: {INSTALL}")
        self.timeout = timeout
        self.ids = itertools.count(1)
        self.buffer = b""
        self.events: list[dict] = []
        self.process: subprocess.Popen | None = None

    # -- process

    def __enter__(self) -> Chromium:
        self.profile = Path(tempfile.mkdtemp(prefix="chromium-profil-"))
        child_reads, self.writer = map(_high, os.pipe())
        self.reader, child_writes = map(_high, os.pipe())
        command = [self.program, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"]
        # bash places the pipe ends at 3 and 4 (a preexec function would not be safe beside threads).
        redirect = f'exec "$@" 3<&{child_reads} 4>&{child_writes} {child_reads}<&- {child_writes}>&-'
        self.process = subprocess.Popen(["/bin/bash", "-c", redirect, "bash", *command],
                                        pass_fds=(child_reads, child_writes), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        os.close(child_reads)
        os.close(child_writes)
        try:
            self.call("Browser.getVersion")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.send("Browser.close")
                self.process.wait(timeout=10)
        except (BrowserError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            self._kill()
            for fd in (self.writer, self.reader):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)

    def _kill(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the browser and its helpers: their own session
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()

    # -- protocol

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        number = next(self.ids)
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.writer, data):]
        return number

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        number = self.send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline, f"svar på {method}")
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, session: str | None, timeout: float | None = None) -> dict:
        """The next event ``method`` of ``session`` (an event that came already counts)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self.events.pop(index)
            message = self._receive(deadline, method)
            if "method" in message:
                self.events.append(message)

    def _receive(self, deadline: float, waiting_for: str) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise BrowserError(f"Chromium svarade inte i tid ({waiting_for}).")
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium avslutades ({waiting_for}).")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def new_page(self, width: int = 1280, height: int = 900) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.resize(width, height)
        return page


class Page:
    def __init__(self, browser: Chromium, session: str):
        self.browser = browser
        self.session = session

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.browser.call(method, params, self.session)

    def resize(self, width: int, height: int, mobile: bool = False) -> None:
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def navigate(self, url: str) -> None:
        self._drop_events("Page.loadEventFired")
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.browser.wait_for("Page.loadEventFired", self.session)

    def follow(self, selector: str) -> str:
        """Click the first element ``selector`` finds, wait for the page it leads to; return its address."""
        self._drop_events("Page.loadEventFired")
        clicked = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                                "if (!e) return false; e.click(); return true; })()")
        if not clicked:
            raise BrowserError(f"{self.url()}: inget element {selector}")
        self.browser.wait_for("Page.loadEventFired", self.session)
        return self.url()

    def url(self) -> str:
        return self.evaluate("location.href")

    def evaluate(self, expression: str, *, wait: bool = False) -> Any:
        """The value of a JavaScript expression in the page (``wait``: of the promise it returns)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": wait})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"JavaScript: {details.get('exception', {}).get('description') or details}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width, height = self.evaluate("[document.documentElement.scrollWidth, "
                                          "document.documentElement.scrollHeight]")
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}
        data = self.call("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def _drop_events(self, method: str) -> None:
        self.browser.events = [e for e in self.browser.events
                               if not (e["method"] == method and e.get("sessionId") == self.session)]


def main(argv: list[str] | None = None) -> int:
    """Save a screenshot: ADDRESS FILE.png [WIDTH [HEIGHT]] (HEIGHT: only that much of the page)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("Användning: python -m meetingdocs.publish.browser ADRESS FIL.png [BREDD [HÖJD]]", file=sys.stderr)
        return 2
    width = int(args[2]) if len(args) > 2 else 1000
    height = int(args[3]) if len(args) > 3 else 0
    with Chromium() as browser:
        page = browser.new_page(width, height or 900)
        page.navigate(args[0])
        page.screenshot(Path(args[1]), full_page=not height)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
