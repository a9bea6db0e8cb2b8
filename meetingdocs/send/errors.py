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


class UnsafeMessageError(SendError):
    """A message failed the last check of its headers before it was written or sent."""

    def __init__(self, recipient: str, differences: list[str]):
        self.differences = list(differences)  # technical, in English: logged, shown with -v
        super().__init__(
            f"Meddelandet till {recipient} stoppades av den sista kontrollen av e-posthuvudet, "
            f"så det skrivs inte och skickas inte. {NOTHING_SENT} "
            "Kontrollera namn, ämnesrad och filnamn i meddelandet. Troligen är det ett fel i verktyget: "
            "kör kommandot igen med -v och skicka utskriften till den som underhåller verktyget.")
