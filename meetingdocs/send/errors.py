"""Errors of the send command, with Swedish messages for the secretary."""

from __future__ import annotations

from ..errors import ExitCode, MeetingDocsError, SourceError

NOTHING_SENT = "Inget har skickats."


class SendError(MeetingDocsError):
    """Sending cannot start or could not finish; the message says what to do."""

    exit_code = ExitCode.other_error


class SendSourceError(SourceError):
    """Problems in the sources, templates or settings found before sending."""

    head_one = "Utskicket kan inte göras, ett fel måste rättas först:"
    head_many = "Utskicket kan inte göras, {count} fel måste rättas först:"
    footer = NOTHING_SENT
