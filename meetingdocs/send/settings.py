"""SMTP settings: ``sources/utskick.yaml``, overridden by the environment.

The password is read only from ``MEETINGDOCS_SMTP_PASSWORD``; it is kept out
of every repr, log line and message. A ``lösenord:`` in the file is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .. import schema as s
from ..errors import Problem
from .errors import SendSourceError
from .headers import unsafe

SETTINGS_FILE = "utskick.yaml"
ENV_PREFIX = "MEETINGDOCS_SMTP_"
ENV_HOST = ENV_PREFIX + "HOST"
ENV_PORT = ENV_PREFIX + "PORT"
ENV_SECURITY = ENV_PREFIX + "SECURITY"
ENV_USER = ENV_PREFIX + "USER"
ENV_FROM = ENV_PREFIX + "FROM"
ENV_CAFILE = ENV_PREFIX + "CAFILE"
ENV_PASSWORD = ENV_PREFIX + "PASSWORD"
ENV_PUBLIC_URL = "MEETINGDOCS_PUBLIC_URL"

SECURITY_CHOICES = ("starttls", "ssl", "ingen")
SECURITY_SYNONYMS = {"tls": "ssl", "smtps": "ssl", "none": "ingen", "plain": "ingen"}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "ingen": 25}
DEFAULT_LIMIT_MB = 15.0
MEGABYTE = 1_000_000
DEFAULT_TIMEOUT = 60.0
LINK_PLACEHOLDERS = ("{nämnd}", "{datum}", "{fil}")


@dataclass(frozen=True)
class Settings:
    host: str = ""
    port: int = 0  # 0: the default port of the security mode
    security: str = "starttls"
    user: str = ""
    sender: str = ""  # "Namn <adress>" or an address; empty: the committee secretary
    size_limit: int = int(DEFAULT_LIMIT_MB * MEGABYTE)  # bytes, the encoded message
    link: str = ""  # public address of the documents, used when a message is too large
    cafile: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    source: Path | None = None  # utskick.yaml when it exists
    password: str = field(default="", repr=False, compare=False)

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    def describe(self) -> str:
        """Where and how, for the terminal. Never the password."""
        mode = {"starttls": "STARTTLS", "ssl": "TLS", "ingen": "okrypterat"}[self.security]
        who = f", användare {self.user}" if self.user else ""
        return f"{self.host}:{self.effective_port} ({mode}{who})"


def _security(value: Any) -> str:
    result = s.text(value).lower()
    result = SECURITY_SYNONYMS.get(result, result)
    if result not in SECURITY_CHOICES:
        raise s.Invalid(f"'{value}' är inte tillåtet här. Välj ett av: {', '.join(SECURITY_CHOICES)}.")
    return result


def _port(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise s.Invalid(f"'{value}' är inget portnummer. Skriv ett heltal, till exempel 587.") from None
    if not 1 <= number <= 65535:
        raise s.Invalid(f"portnumret {number} finns inte; det ska vara mellan 1 och 65535.")
    return number


def _megabytes(value: Any) -> int:
    try:
        number = float(str(value).strip().replace(",", ".").removesuffix("MB").strip())
    except ValueError:
        raise s.Invalid(f"'{value}' är ingen storlek. Skriv antal megabyte, till exempel 15.") from None
    if number <= 0:
        raise s.Invalid("storleksgränsen ska vara större än 0 (megabyte).")
    return int(number * MEGABYTE)


def _seconds(value: Any) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise s.Invalid(f"'{value}' är inget antal sekunder.") from None
    if number <= 0:
        raise s.Invalid("tidsgränsen ska vara större än 0 sekunder.")
    return number


def _link(value: Any) -> str:
    result = s.text(value)
    parts = urlsplit(result)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in result):
        raise s.Invalid(f"'{result}' är ingen webbadress. Skriv hela adressen, till exempel "
                        "https://www.example.org/handlingar/{datum}/{fil}.")
    return result


def _host(value: Any) -> str:
    result = s.text(value)
    if not result or any(c.isspace() or c in "/:@" for c in result):
        raise s.Invalid(f"'{result}' är inget servernamn. Skriv bara namnet, till exempel smtp.example.org.")
    return result


def _single_line(value: Any) -> str:
    result = s.text(value)
    if unsafe(result):
        raise s.Invalid("värdet innehåller en radbrytning eller ett annat styrtecken; skriv det på en rad.")
    return result


FIELDS = [
    s.Field("server", _host, aliases=("smtp-server", "värd")),
    s.Field("port", _port, default=0),
    s.Field("säkerhet", _security, default="starttls"),
    s.Field("användare", _single_line, default="", aliases=("användarnamn",)),
    s.Field("avsändare", _single_line, default="", aliases=("från",)),
    s.Field("storleksgräns", _megabytes, default=int(DEFAULT_LIMIT_MB * MEGABYTE)),
    s.Field("länk", _link, default=""),
    s.Field("ca-fil", s.text, default=""),
    s.Field("tidsgräns", _seconds, default=DEFAULT_TIMEOUT),
    s.Field("lösenord", s.raw, aliases=("password",)),
]

ENV_FIELDS = [
    (ENV_HOST, "server", _host),
    (ENV_PORT, "port", _port),
    (ENV_SECURITY, "säkerhet", _security),
    (ENV_USER, "användare", _single_line),
    (ENV_FROM, "avsändare", _single_line),
    (ENV_CAFILE, "ca-fil", s.text),
    (ENV_PUBLIC_URL, "länk", _link),
]


def load_settings(sources: Path, env: Mapping[str, str] | None = None) -> tuple[Settings, list[Problem]]:
    """Read ``sources/utskick.yaml`` (optional) and the environment.

    Returns the settings and the warnings (unknown fields); raises
    ``SendSourceError`` listing every problem.
    """
    env = os.environ if env is None else env
    found = s.Collected()
    path = sources / SETTINGS_FILE
    values: dict[str, Any] = {f.name: (f.default() if callable(f.default) else f.default) for f in FIELDS}
    source = None
    if path.is_file():
        source = path
        data = s.load_yaml_file(path, found.problems, empty={})
        if data is not None:
            read = found.reader(path).read(data, FIELDS)
            if read is not None:
                values.update(read)
        if values.get("lösenord") is not None:
            found.problems.append(Problem(
                path, "lösenordet får inte stå i en fil. Ta bort raden och ange lösenordet i miljövariabeln "
                      f"{ENV_PASSWORD} när du skickar.", field="lösenord"))
    for name, key, convert in ENV_FIELDS:
        raw = env.get(name, "").strip()
        if not raw:
            continue
        try:
            values[key] = convert(raw)
        except s.Invalid as exc:
            found.problems.append(Problem(None, f"miljövariabeln {name}: {exc}"))
    cafile = None
    if values["ca-fil"]:
        from_env = bool(env.get(ENV_CAFILE, "").strip())
        cafile = Path(values["ca-fil"]).expanduser()
        if not cafile.is_absolute():
            cafile = (Path.cwd() if from_env else sources) / cafile
        if not cafile.is_file():
            where = f"miljövariabeln {ENV_CAFILE}: " if from_env else ""
            found.problems.append(Problem(None if from_env else source, f"{where}CA-filen {cafile} finns inte.",
                                          field=None if from_env else "ca-fil"))
    if found.problems:
        raise SendSourceError(found.problems)
    return Settings(
        host=values["server"] or "",
        port=values["port"] or 0,
        security=values["säkerhet"] or "starttls",
        user=values["användare"] or "",
        sender=values["avsändare"] or "",
        size_limit=values["storleksgräns"],
        link=values["länk"] or "",
        cafile=cafile,
        timeout=values["tidsgräns"],
        source=source,
        password=env.get(ENV_PASSWORD, ""),
    ), found.warnings

