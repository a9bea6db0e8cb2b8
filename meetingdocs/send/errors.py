"""Errors of the send command, with Swedish messages for the secretary."""

from __future__ import annotations

from ..errors import ExitCode, MeetingDocsError, Problem, SourceError

NOTHING_SENT = "Inget har skickats."


class SendError(MeetingDocsError):
    """Sending cannot start or could not finish; the message says what to do."""

    exit_code = ExitCode.other_error


class SendSourceError(SourceError):
    """Problems in the sources, templates or settings found before sending."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        count = len(self.problems)
        head = (
            "Utskicket kan inte göras, ett fel måste rättas först:"
            if count == 1
            else f"Utskicket kan inte göras, {count} fel måste rättas först:"
        )
        body = "\n".join(f"  - {p}" for p in self.problems)
        self.message = f"{head}\n{body}\n{NOTHING_SENT}"
        self.args = (self.message,)
