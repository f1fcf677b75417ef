"""Sending one message: ``SmtpTransport`` speaks STARTTLS, implicit TLS or plain (loopback) and
sorts every failure into transient (worth retrying), permanent, or uncertain (the server had
the message but never confirmed it). TLS verifies the server against the system's trust store
plus the CA file of ``FLOPCAST_SMTP_CA_FILE`` (a private CA); a certificate that does not verify
is permanent, with a hint naming that variable. ``OutboxTransport`` writes ``.eml`` files
atomically (the default when no SMTP host is configured). Plain Python (stdlib ``smtplib``), no
Dagster."""

import hashlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from datetime import timezone
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from common.fs import atomic_write_bytes
from reports.mail_message import ALERTS
from reports.mail_settings import CA_FILE_VARIABLE, SmtpConfig


class TransientSendError(RuntimeError):
    """Worth retrying: connection refused/dropped, timeout, or a 4xx reply, all before the server
    had the message."""


class PermanentSendError(RuntimeError):
    """Not worth retrying: the server rejected the message or recipient (5xx), or bad login."""


class UncertainSendError(RuntimeError):
    """The message was handed over but the server never answered (timeout or dropped connection
    after the end of DATA): it may have been delivered. Retrying could send it twice."""


class SmtpTransport:
    name = "smtp"

    def __init__(self, config: SmtpConfig):
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.tls == "ssl":
            client = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s, context=c.tls_context())
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
            if c.tls == "starttls":
                client.starttls(context=c.tls_context())
        if c.user:
            client.login(c.user, c.password.get_secret_value())
        return client

    def send(self, message: EmailMessage) -> str:
        where = f"{self.config.host}:{self.config.port}"
        in_data = False  # the message body is being (or was) handed over: past the point of no return
        try:
            client = self._connect()
            try:
                data = client.data

                def tracked_data(msg):
                    nonlocal in_data
                    in_data = True
                    return data(msg)

                client.data = tracked_data
                refused = client.send_message(message)
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):  # the outcome is known: QUIT is a courtesy
                    client.close()
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentSendError(f"SMTP login refused for user {self.config.user!r} ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {r: code for r, (code, _) in exc.recipients.items()}
            if all(400 <= code < 500 for code in codes.values()):
                raise TransientSendError(f"recipient temporarily refused: {codes}") from None
            raise PermanentSendError(f"recipient refused: {codes}") from None
        except smtplib.SMTPResponseException as exc:  # an explicit reply: the server did not take it
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
            if 400 <= exc.smtp_code < 500:
                raise TransientSendError(text) from None
            raise PermanentSendError(text) from None
        except ssl.SSLCertVerificationError as exc:  # retrying cannot make the certificate verify
            trusted = (f"the system's CAs and {self.config.ca_file}" if self.config.ca_file
                       else f"the system's CAs; for a private CA set {CA_FILE_VARIABLE} to its PEM file")
            raise PermanentSendError(f"SMTP server {where}: certificate not trusted ({exc.verify_message}; "
                                     f"trusted: {trusted})") from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout,
                ConnectionError, OSError) as exc:
            if in_data:
                raise UncertainSendError(
                    f"SMTP server {where} did not confirm the message after it was sent "
                    f"({type(exc).__name__}: {exc}); it may have been delivered"
                ) from None
            raise TransientSendError(
                f"cannot reach SMTP server {where}: {type(exc).__name__}: {exc}"
            ) from None
        if refused:
            raise PermanentSendError(f"recipient refused: {refused}")
        return f"smtp {where}"


class OutboxTransport:
    """Writes each message as ``<outbox>/<partition>/<recipient>.eml`` (atomically): a brief sent
    again replaces its copy. Operator alerts are each a file of their own,
    ``<outbox>/alerts/<UTC time>-<message id hash>-<recipient>.eml``, so a second alert does not
    overwrite the first one unread."""

    name = "outbox"

    def __init__(self, outbox_dir: Path):
        self.outbox_dir = outbox_dir

    def path_for(self, message: EmailMessage) -> Path:
        recipient = parseaddr(message["To"])[1].replace("/", "_")
        partition = message["X-Flopcast-Partition"]
        if partition == ALERTS:
            sent = parsedate_to_datetime(message["Date"]).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            unique = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:8]
            return self.outbox_dir / partition / f"{sent}-{unique}-{recipient}.eml"
        return self.outbox_dir / partition / f"{recipient}.eml"

    def send(self, message: EmailMessage) -> str:
        path = self.path_for(message)
        atomic_write_bytes(path, bytes(message))
        return str(path)
