"""The send log: ``packets/MEETING/utskick/skickat.jsonl``.

One JSON object per line, one line per message the SMTP server accepted,
appended and flushed to disk before the next message is sent:

    {"vad": "kallelse", "mottagare": "robert.hamberg@example.org",
     "namn": "Robert Hamberg", "message_id": "<…@example.org>",
     "tid": "2020-12-04T10:15:02+01:00", "ämne": "Kallelse GNS 2020-12-11",
     "bilagor": [{"fil": "kallelse.pdf", "namn": "Kallelse GNS 2020-12-11.pdf",
                  "sha256": "…"}],
     "länk": false, "storlek": 123456, "server": "smtp.example.org:587"}

A message is identified by ``vad`` and ``mottagare`` (the address, compared
without regard to case); its content by the sha256 of its files. The last
line for a message wins. Protokollsutdrag are also followed file by file
(``files_sent``): the extracts of §§ justerade at the meeting may be sent
before the rest, and a later send must not send them again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import display_path
from .errors import SendError

log = logging.getLogger(__name__)

FOLDER = "utskick"
LOG_FILE = "skickat.jsonl"
LOCK_FILE = ".utskick.lås"


@dataclass(frozen=True)
class Entry:
    what: str
    address: str
    time: str
    fingerprint: tuple[str, ...]  # sorted sha256 of the files
    message_id: str


@dataclass(frozen=True)
class SentFile:
    """One file as it was sent: its sha256 and the message it went with."""

    sha256: str
    entry: Entry


def fingerprint(hashes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(hashes))


class Ledger:
    def __init__(self, packet_folder: Path):
        self.folder = packet_folder / FOLDER
        self.path = self.folder / LOG_FILE

    def read(self) -> dict[tuple[str, str], Entry]:
        """The last entry per (what, address in lower case)."""
        return {(entry.what, entry.address.lower()): entry for entry, _ in self._entries()}

    def files_sent(self, what: str) -> dict[str, dict[str, SentFile]]:
        """Per address (lower case), every file ever sent to it in ``what``: path in packets/MEETING/ -> last send.

        The extracts of §§ justerade at the meeting may go out before the rest of the protokoll is justerat;
        the later send leaves out what a recipient already has, file by file.
        """
        files: dict[str, dict[str, SentFile]] = {}
        for entry, data in self._entries():
            if entry.what != what:
                continue
            for attachment in data.get("bilagor", []):
                sent = SentFile(str(attachment["sha256"]), entry)
                files.setdefault(entry.address.lower(), {})[str(attachment.get("fil", ""))] = sent
        return files

    def _entries(self) -> Iterator[tuple[Entry, dict]]:
        """Each readable line of the log, in order, as an Entry and as written."""
        if not self.path.is_file():
            return
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    entry = Entry(
                        what=str(data["vad"]),
                        address=str(data["mottagare"]),
                        time=str(data.get("tid", "")),
                        fingerprint=fingerprint([str(b["sha256"]) for b in data.get("bilagor", [])]),
                        message_id=str(data.get("message_id", "")),
                    )
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    # A line cut short by a crash while writing: everything before it stands.
                    log.warning("Rad %d i %s går inte att läsa och hoppas över (%s).",
                                number, display_path(self.path), exc)
                    continue
                yield entry, data

    def append(self, record: dict) -> None:
        """Write one line and make sure it is on disk before returning."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        with self.path.open("a+b") as handle:
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a line cut short by a crash: start on a fresh line
                    line = "\n" + line
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Only one sending run per meeting at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / LOCK_FILE).open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise SendError("Ett annat utskick för samma sammanträde pågår redan. Vänta tills det är klart "
                                "och kör sedan kommandot igen. Inget har skickats.") from None
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)
