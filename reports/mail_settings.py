"""Mail settings from the pinned ``FLOPCAST_SMTP_*`` / ``FLOPCAST_MAIL_*`` variables (``MAIL_ENV``),
parsed and checked in one place (the CLI reads the environment, the Dagster resource its
fields): a bad address, port or TLS mode is a ``DeliveryError`` before anything is sent. The SMTP
password is a ``SecretStr``: it prints as stars. Plain Python, no Dagster."""

from dataclasses import dataclass
from email.utils import parseaddr

from pydantic import SecretStr

TLS_MODES = ("starttls", "ssl", "none")

# Each mail setting -> the pinned environment variable it is read from.
MAIL_ENV = {
    "smtp_host": "FLOPCAST_SMTP_HOST",
    "smtp_port": "FLOPCAST_SMTP_PORT",
    "smtp_user": "FLOPCAST_SMTP_USER",
    "smtp_password": "FLOPCAST_SMTP_PASSWORD",
    "smtp_tls": "FLOPCAST_SMTP_TLS",
    "mail_from": "FLOPCAST_MAIL_FROM",
    "mail_to": "FLOPCAST_MAIL_TO",
    "operator_email": "FLOPCAST_OPERATOR_EMAIL",
}


class DeliveryError(RuntimeError):
    """Delivery could not be attempted at all (bad configuration, missing brief)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str = ""
    password: SecretStr = SecretStr("")  # prints as stars: never in reprs, logs or errors
    tls: str = "starttls"
    timeout_s: float = 30.0

    def __post_init__(self):
        if self.tls not in TLS_MODES:
            raise DeliveryError(f"SMTP TLS mode {self.tls!r} is not one of {', '.join(TLS_MODES)}")
        if not self.host:
            raise DeliveryError("SMTP host is empty")


@dataclass(frozen=True)
class MailSettings:
    sender: str
    recipients: tuple[str, ...]
    operator: str = ""
    smtp: SmtpConfig | None = None

    def __post_init__(self):
        for address in (self.sender, *self.recipients, *((self.operator,) if self.operator else ())):
            if "@" not in parseaddr(address)[1]:
                raise DeliveryError(f"not an email address: {address!r}")


def parse_mail_settings(*, smtp_host: str = "", smtp_port: str = "", smtp_user: str = "",
                        smtp_password: str = "", smtp_tls: str = "", mail_from: str = "",
                        mail_to: str = "", operator_email: str = "") -> MailSettings:
    """Mail settings from their raw text (as in the variables of ``MAIL_ENV``; empty: unset).
    No SMTP host: outbox only."""
    host = smtp_host.strip()
    smtp = None
    if host:
        tls = (smtp_tls or "starttls").strip().lower()
        default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(tls, 587)
        try:
            port = int(smtp_port or default_port)
        except ValueError:
            raise DeliveryError(f"{MAIL_ENV['smtp_port']}={smtp_port!r} is not a number") from None
        smtp = SmtpConfig(host=host, port=port, user=smtp_user, password=SecretStr(smtp_password), tls=tls)
    recipients = tuple(a.strip() for a in mail_to.split(",") if a.strip())
    return MailSettings(
        sender=(mail_from or "flopcast@localhost").strip(),
        recipients=recipients,
        operator=operator_email.strip(),
        smtp=smtp,
    )


def mail_settings_from_env(env: dict[str, str]) -> MailSettings:
    """Read the pinned variables of ``MAIL_ENV``."""
    return parse_mail_settings(**{name: env.get(var) or "" for name, var in MAIL_ENV.items()})
