"""The SMTP conversation: connect, secure, log in, one message per recipient.

Never falls back to an unencrypted connection; never sends a password
without encryption. smtplib's debug output stays off, so the password is not
written anywhere.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass

from .errors import NOTHING_SENT, SendError
from .settings import ENV_CAFILE, ENV_HOST, ENV_PASSWORD, ENV_SECURITY, ENV_USER, SETTINGS_FILE, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the server said about one message."""

    accepted: bool
    fatal: bool = False  # the connection is gone or unusable: stop sending
    code: int = 0
    text: str = ""

    def describe(self) -> str:
        return f"{self.code} {self.text}".strip() if self.code else self.text


def _reply(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; smtplib only manages ASCII, so UTF-8 credentials use PLAIN or LOGIN by hand (RFC 4616)."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    if "PLAIN" in mechanisms:
        code, reply = smtp.docmd("AUTH", "PLAIN " + b64(f"\0{user}\0{password}"))
    elif "LOGIN" in mechanisms:
        code, reply = smtp.docmd("AUTH", "LOGIN " + b64(user))
        if code == 334:
            code, reply = smtp.docmd(b64(password))
    else:
        raise smtplib.SMTPAuthenticationError(504, b"no PLAIN or LOGIN for UTF-8 credentials")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


class Connection:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    # -------------------------------------------------------------- open

    def open(self) -> None:
        settings = self.settings
        where = f"{settings.host}:{settings.effective_port}"
        context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
        local = socket.gethostname() or "localhost"
        try:
            if settings.security == "ssl":
                smtp = smtplib.SMTP_SSL(settings.host, settings.effective_port, local_hostname=local,
                                        timeout=settings.timeout, context=context)
            else:
                smtp = smtplib.SMTP(settings.host, settings.effective_port, local_hostname=local,
                                    timeout=settings.timeout)
            self.smtp = smtp
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise SendError(f"E-postservern {where} erbjuder inte STARTTLS, så förbindelsen kan inte "
                                    f"krypteras. Kontrollera server och port ({ENV_HOST}, port i {SETTINGS_FILE}); "
                                    "för krypterad anslutning direkt (oftast port 465) välj säkerhet: ssl. "
                                    f"{NOTHING_SENT}")
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.password:
                if not smtp.has_extn("auth"):
                    raise SendError(f"E-postservern {where} erbjuder ingen inloggning (AUTH), men ett lösenord är "
                                    f"angivet i {ENV_PASSWORD}. Ta bort det, eller kontrollera server och port. "
                                    f"{NOTHING_SENT}")
                _login(smtp, settings.user, settings.password)
        except SendError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise SendError(f"Inloggningen på e-postservern {where} misslyckades för användaren "
                            f"'{settings.user}' ({exc.smtp_code} {_reply(exc.smtp_error)}). Kontrollera "
                            f"{ENV_USER} och lösenordet i {ENV_PASSWORD}. {NOTHING_SENT}") from None
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise SendError(f"E-postserverns certifikat ({where}) går inte att lita på: {exc.verify_message}. "
                            "Kontrollera servernamnet; använder servern ett eget certifikat, ange "
                            f"CA-filen i {ENV_CAFILE} eller ca-fil i {SETTINGS_FILE}. {NOTHING_SENT}") from None
        except ssl.SSLError as exc:
            self.close()
            raise SendError(f"Den krypterade förbindelsen med {where} misslyckades ({exc.reason or exc}). "
                            f"Stämmer säkerhet (starttls eller ssl, {ENV_SECURITY}) med porten? {NOTHING_SENT}") \
                from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendError(f"E-postservern {where} svarade med ett fel när förbindelsen öppnades "
                            f"({exc.smtp_code} {_reply(exc.smtp_error)}). {NOTHING_SENT}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            raise SendError(f"Kunde inte ansluta till e-postservern {where} ({detail}). Kontrollera servernamn "
                            f"och port ({ENV_HOST}, {SETTINGS_FILE}) och nätverket. {NOTHING_SENT}") from None
        log.debug("connected to %s, security %s", where, settings.security)

    def max_size(self) -> int:
        """The size limit the server announced (EHLO SIZE), 0 when none."""
        if self.smtp is None:
            return 0
        value = self.smtp.esmtp_features.get("size", "")
        return int(value) if value.strip().isdigit() else 0

    # -------------------------------------------------------------- send

    def send(self, sender: str, recipient: str, data: bytes) -> Outcome:
        assert self.smtp is not None
        try:
            self.smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(recipient, (0, b""))
            return Outcome(False, fatal=code == 421, code=code, text=_reply(reply))
        except smtplib.SMTPSenderRefused as exc:
            return Outcome(False, fatal=True, code=exc.smtp_code,
                           text=f"avsändaren {exc.sender} avvisades: {_reply(exc.smtp_error)}")
        except smtplib.SMTPServerDisconnected as exc:
            return Outcome(False, fatal=True, text=f"förbindelsen bröts ({exc or 'servern stängde'})")
        except smtplib.SMTPResponseException as exc:
            return Outcome(False, fatal=exc.smtp_code == 421, code=exc.smtp_code, text=_reply(exc.smtp_error))
        except (smtplib.SMTPException, OSError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            return Outcome(False, fatal=True, text=f"förbindelsen bröts ({detail})")
        return Outcome(True)

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None
