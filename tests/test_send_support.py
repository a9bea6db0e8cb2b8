"""Shared helpers for the send tests (no tests here).

A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives,
optionally refusing recipients, dropping the connection, requiring STARTTLS
with a self-signed certificate, or requiring a login. Plus a tmp workspace
with a copy of the demo sources and small real PDFs standing in for the
packet, the protokoll and the protokollsutdrag.

Every environment these helpers build points at 127.0.0.1 and overrides
every MEETINGDOCS_* setting, so a developer's own SMTP settings can never
make a test send anything anywhere else.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from reportlab.pdfgen import canvas

from conftest import DEMO, REPO

LOOPBACK = "127.0.0.1"
USER = "sekreterare"
PASSWORD = "Hemligt-lösen-7Qx!"  # must never show up in any output or file
SMTP_ENV = ("HOST", "PORT", "SECURITY", "USER", "FROM", "CAFILE", "PASSWORD")


# ------------------------------------------------------------------ server


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


def attachment_names(part: email.message.Message) -> tuple[str | None, str | None]:
    """(``filename=``, ``filename*=`` decoded) of an attachment's Content-Disposition.

    ``get_filename()`` under policy.default returns the first of the two, which
    is the ASCII fallback; compat32's ``get_params`` keeps both.
    """
    raw = next((str(v) for k, v in part.raw_items() if k.lower() == "content-disposition"), "")
    holder = email.message.Message()
    holder["Content-Disposition"] = raw.replace("\r\n", "").replace("\n", "")
    found: dict[bool, str] = {}
    for name, value in holder.get_params([], header="content-disposition")[1:]:
        if name == "filename":
            extended = isinstance(value, tuple)
            assert extended not in found, f"two filename{'*' if extended else ''} parameters in {raw!r}"
            found[extended] = email.utils.collapse_rfc2231_value(value) if extended else value
    return found.get(False), found.get(True)


def filename(part: email.message.Message) -> str | None:
    """The name a mail program that reads RFC 2231 shows for an attachment."""
    plain, extended = attachment_names(part)
    return extended or plain


@dataclass
class Recorder:
    """aiosmtpd handler: stores every accepted message."""

    refuse: set[str] = field(default_factory=set)  # addresses answered with 550
    drop_after: int | None = None  # close the connection at the DATA of message N+1
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.drop_after is not None and len(self.received) >= self.drop_after:
                server.transport.close()  # the line goes dead mid-conversation
                return "421 4.3.0 Closing"
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Message accepted"

    def addresses(self) -> list[str]:
        with self.lock:
            return [r for item in self.received for r in item.rcpt_tos]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode("utf-8"))
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


class Server:
    """A running aiosmtpd on loopback; ``env`` points the tool at it."""

    def __init__(self, recorder: Recorder, *, starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None, auth: bool = False, data_size_limit: int | None = None):
        self.recorder = recorder
        self.port = free_port()
        kwargs: dict = {}
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if implicit_tls is not None:
            kwargs.update(ssl_context=implicit_tls)
        if auth:
            kwargs.update(authenticator=_authenticator, auth_required=True)
        if data_size_limit is not None:
            kwargs.update(data_size_limit=data_size_limit)
        self.security = "starttls" if starttls else "ssl" if implicit_tls else "ingen"
        self.controller = Controller(recorder, hostname=LOOPBACK, port=self.port, ready_timeout=5, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.received)

    def env(self, **extra: str) -> dict[str, str]:
        return smtp_env(self.port, self.security, **extra)


def smtp_env(port: int, security: str = "ingen", **extra: str) -> dict[str, str]:
    """Every MEETINGDOCS_* setting, pointing at loopback; the rest empty."""
    env = {f"MEETINGDOCS_SMTP_{name}": "" for name in SMTP_ENV}
    env["MEETINGDOCS_PUBLIC_URL"] = ""
    env.update({"MEETINGDOCS_SMTP_HOST": LOOPBACK, "MEETINGDOCS_SMTP_PORT": str(port),
                "MEETINGDOCS_SMTP_SECURITY": security})
    env.update(extra)
    assert env["MEETINGDOCS_SMTP_HOST"] == LOOPBACK, "tests only ever talk to 127.0.0.1"
    return env


@pytest.fixture
def smtp():
    """Start servers with ``smtp(Recorder(...), **options)``; all are stopped at the end."""
    started: list[Server] = []

    def start(recorder: Recorder | None = None, **options) -> Server:
        server = Server(recorder or Recorder(), **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 made by openssl: (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


# --------------------------------------------------------------- workspace


def make_pdf(path: Path, text: str, padding: int = 0) -> bytes:
    """A small real PDF; ``padding`` bytes of incompressible noise make it bigger."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    pdf.setTitle(text)
    pdf.drawString(72, 770, text)
    if padding:
        pdf.setSubject(os.urandom(padding).hex())
    pdf.showPage()
    pdf.save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


@dataclass
class Workspace:
    root: Path
    sources: Path
    out: Path

    @property
    def packet(self) -> Path:
        return self.out / DEMO

    @property
    def kallelse(self) -> Path:
        return self.packet / "kallelse.pdf"

    @property
    def log(self) -> Path:
        return self.packet / "utskick" / "skickat.jsonl"

    def log_lines(self) -> list[dict]:
        if not self.log.is_file():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.sources / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def settings(self, text: str) -> None:
        (self.sources / "utskick.yaml").write_text(text, encoding="utf-8")

    def protokoll(self, recipients: list[dict] | None = None, adjusted: bool = True) -> None:
        """protokoll.pdf, the extracts and sandlista.json as `make protokoll` leaves them."""
        make_pdf(self.packet / "protokoll.pdf", "Protokoll GNS 2020-12-11")
        if recipients is None:
            recipients = [{"mottagare": "Nämndens parter", "paragrafer": [44, 46]},
                          {"mottagare": "Sekretariatet", "paragrafer": [44]}]
        paragraphs = sorted({p for r in recipients for p in r["paragrafer"]})
        for number in paragraphs:
            make_pdf(self.packet / "utdrag" / f"protokollsutdrag-{number}.pdf", f"Protokollsutdrag § {number}")
        data = {
            "nämnd": "GNS", "datum": DEMO, "justerat": adjusted, "paragrafer": [41, 51],
            "mottagare": [{**r, "filer": [f"protokollsutdrag-{p}.pdf" for p in r["paragrafer"]]}
                          for r in recipients],
        }
        (self.packet / "utdrag" / "sandlista.json").write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                                               encoding="utf-8")


@pytest.fixture
def work(tmp_path: Path) -> Workspace:
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "sources", sources)
    (sources / "utskick.yaml").unlink(missing_ok=True)
    space = Workspace(tmp_path, sources, tmp_path / "packets")
    make_pdf(space.kallelse, "Kallelse GNS 2020-12-11")
    return space


@dataclass
class ToolCopy:
    """A copy of build.py, meetingdocs/ and templates/, for tests that change a template in templates/."""

    root: Path

    def run(self, *args: str, sources: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        argv = [sys.executable, str(self.root / "build.py"), "--sources", str(sources), "--out", str(out), *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=self.root,
                              env={**os.environ, **env}, stdin=subprocess.DEVNULL)


@pytest.fixture
def tool_copy(tmp_path: Path) -> ToolCopy:
    root = tmp_path / "verktyg"
    root.mkdir()
    shutil.copy2(REPO / "build.py", root / "build.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("meetingdocs", "templates"):
        shutil.copytree(REPO / folder, root / folder, ignore=ignore)
    return ToolCopy(root)


def roster_addresses(sources: Path) -> list[str]:
    """Every ledamot and ersättare address in the demo committee, in order."""
    import yaml

    data = yaml.safe_load((sources / "namnder" / "gns.yaml").read_text(encoding="utf-8"))
    period = data["mandatperioder"][0]  # 2019–2022, the demo meeting's period, first in the file
    return [p["e-post"] for p in period["ledamöter"] + period["ersättare"]]
