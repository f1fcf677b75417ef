"""Mail settings from the pinned ``FLOPCAST_SMTP_*`` / ``FLOPCAST_MAIL_*`` variables, checked
once: a bad address, port or TLS mode is a ``DeliveryError`` before anything is sent. The SMTP
password is a ``SecretStr``: it prints as stars. Plain Python, no Dagster."""

from dataclasses import dataclass
from email.utils import parseaddr

from pydantic import SecretStr

TLS_MODES = ("starttls", "ssl", "none")


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


def mail_settings_from_env(env: dict[str, str]) -> MailSettings:
    """Read the pinned FLOPCAST_SMTP_* / FLOPCAST_MAIL_* variables (no SMTP host: outbox only)."""
    host = (env.get("FLOPCAST_SMTP_HOST") or "").strip()
    smtp = None
    if host:
        tls = (env.get("FLOPCAST_SMTP_TLS") or "starttls").strip().lower()
        default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(tls, 587)
        try:
            port = int(env.get("FLOPCAST_SMTP_PORT") or default_port)
        except ValueError:
            raise DeliveryError(f"FLOPCAST_SMTP_PORT={env.get('FLOPCAST_SMTP_PORT')!r} is not a number") from None
        smtp = SmtpConfig(host=host, port=port, user=env.get("FLOPCAST_SMTP_USER") or "",
                          password=SecretStr(env.get("FLOPCAST_SMTP_PASSWORD") or ""), tls=tls)
    recipients = tuple(a.strip() for a in (env.get("FLOPCAST_MAIL_TO") or "").split(",") if a.strip())
    return MailSettings(
        sender=(env.get("FLOPCAST_MAIL_FROM") or "flopcast@localhost").strip(),
        recipients=recipients,
        operator=(env.get("FLOPCAST_OPERATOR_EMAIL") or "").strip(),
        smtp=smtp,
    )
