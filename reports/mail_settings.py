"""Mail settings from the pinned ``FLOPCAST_SMTP_*`` / ``FLOPCAST_MAIL_*`` variables (``MAIL_ENV``),
parsed and checked in one place, ``MailVariables`` (the CLI passes the environment, the Dagster
resource its fields): a bad address, port or TLS mode is a ``DeliveryError`` before anything is
sent. The SMTP password is a ``SecretStr``: it prints as stars. Plain Python, no Dagster."""

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TlsMode = Literal["starttls", "ssl", "none"]
TLS_MODES: tuple[str, ...] = get_args(TlsMode)
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}


class DeliveryError(RuntimeError):
    """Delivery could not be attempted at all (bad configuration, missing brief)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str = ""
    password: SecretStr = SecretStr("")  # prints as stars: never in reprs, logs or errors
    tls: TlsMode = "starttls"
    timeout_s: float = 30.0


@dataclass(frozen=True)
class MailSettings:
    sender: str
    recipients: tuple[str, ...]
    operator: str = ""
    smtp: SmtpConfig | None = None


def _address(text: str) -> str:
    if "@" not in parseaddr(text)[1]:
        raise ValueError(f"not an email address: {text!r}")
    return text


Address = Annotated[str, AfterValidator(_address)]


class MailVariables(BaseSettings):
    """The mail variables (an empty one is unset). No SMTP host: outbox only."""

    model_config = SettingsConfigDict(env_prefix="FLOPCAST_", frozen=True, extra="ignore")

    smtp_host: str = ""
    smtp_port: int | None = None  # None: the TLS mode's port
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_tls: TlsMode = "starttls"
    mail_from: Address = "flopcast@localhost"
    mail_to: Annotated[tuple[Address, ...], NoDecode] = ()  # comma-separated, not JSON
    operator_email: Address | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data):
        return {key: value for key, value in data.items() if value != ""}

    @field_validator("smtp_host", "mail_from", "operator_email", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("smtp_tls", mode="before")
    @classmethod
    def _fold_case(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("mail_to", mode="before")
    @classmethod
    def _split(cls, value):
        return tuple(a.strip() for a in value.split(",") if a.strip()) if isinstance(value, str) else value

    def mail_settings(self) -> MailSettings:
        smtp = None
        if self.smtp_host:
            port = DEFAULT_PORTS[self.smtp_tls] if self.smtp_port is None else self.smtp_port
            smtp = SmtpConfig(host=self.smtp_host, port=port, user=self.smtp_user,
                              password=self.smtp_password, tls=self.smtp_tls)
        return MailSettings(sender=self.mail_from, recipients=self.mail_to,
                            operator=self.operator_email or "", smtp=smtp)


# Each mail setting -> the pinned environment variable it is read from.
MAIL_ENV = {name: f"{MailVariables.model_config['env_prefix']}{name.upper()}" for name in MailVariables.model_fields}

# How the one-line error puts a bad value, by pydantic error type.
PROBLEMS = {"int_parsing": "is not a whole number", "literal_error": f"is not one of {', '.join(TLS_MODES)}"}


def parse_mail_settings(*, smtp_host: str = "", smtp_port: str = "", smtp_user: str = "",
                        smtp_password: str = "", smtp_tls: str = "", mail_from: str = "",
                        mail_to: str = "", operator_email: str = "") -> MailSettings:
    """Mail settings from their raw text (as in the variables of ``MAIL_ENV``; empty: unset).
    Every setting is given, so the process environment is not consulted."""
    try:
        return MailVariables(
            smtp_host=smtp_host, smtp_port=smtp_port, smtp_user=smtp_user, smtp_password=smtp_password,
            smtp_tls=smtp_tls, mail_from=mail_from, mail_to=mail_to, operator_email=operator_email,
        ).mail_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "value_error":  # a validator's own words
            raise DeliveryError(str(error["ctx"]["error"])) from None
        problem = PROBLEMS.get(error["type"], error["msg"])
        raise DeliveryError(f"{MAIL_ENV[error['loc'][0]]}={error['input']!r} {problem}") from None


def mail_settings_from_env(env: dict[str, str]) -> MailSettings:
    """Read the pinned variables of ``MAIL_ENV``."""
    return parse_mail_settings(**{name: env.get(var) or "" for name, var in MAIL_ENV.items()})
