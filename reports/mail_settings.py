"""Mail settings from the pinned ``FLOPCAST_SMTP_*`` / ``FLOPCAST_MAIL_*`` variables (``MAIL_ENV``),
parsed and checked in one place, ``MailVariables`` (the CLI passes the environment, the Dagster
resource its fields): a bad address, port or TLS mode is a ``DeliveryError`` before anything is
sent. The SMTP password is a ``SecretStr``: it prints as stars. Plain Python, no Dagster.

Two settings that are no secret, ``FLOPCAST_SMTP_CA_FILE`` (a PEM file of CA certificates added
to the trust store for STARTTLS and implicit TLS, for a server signed by a private CA) and
``FLOPCAST_UI_URL`` (where the Dagster UI is, so alerts link to the run), are in ``PLAIN_MAIL_ENV``:
the Dagster resource has no field for them, so a caller that does not pass them gets them from the
process environment.
"""

import os
import ssl
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
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
    ca_file: Path | None = None  # PEM CA certificates trusted in addition to the system's

    def tls_context(self) -> ssl.SSLContext:
        """The client context for STARTTLS and implicit TLS: the system's trust store, plus the
        CA certificates of ``ca_file`` when one is configured."""
        return tls_context(self.ca_file)


@dataclass(frozen=True)
class MailSettings:
    sender: str
    recipients: tuple[str, ...]
    operator: str = ""
    smtp: SmtpConfig | None = None
    ui_url: str = ""  # the Dagster UI (no trailing slash); alerts link to <ui_url>/runs/<run id>


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Verifying client context; a CA file that cannot be loaded is a one-line ``DeliveryError``
    naming ``FLOPCAST_SMTP_CA_FILE`` and the path."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except FileNotFoundError:
            raise DeliveryError(f"{CA_FILE_VARIABLE}={str(ca_file)!r}: no such file") from None
        except ssl.SSLError as exc:  # not PEM, or no certificate in it
            reason = f"not PEM CA certificates: {exc.reason or exc}"
            raise DeliveryError(f"{CA_FILE_VARIABLE}={str(ca_file)!r} cannot be used ({reason})") from None
        except OSError as exc:  # unreadable: permissions, a directory
            reason = exc.strerror or type(exc).__name__
            raise DeliveryError(f"{CA_FILE_VARIABLE}={str(ca_file)!r} cannot be read ({reason})") from None
    return context


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
    smtp_ca_file: Path | None = None
    ui_url: str = ""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data):
        return {key: value for key, value in data.items() if value != ""}

    @field_validator("smtp_host", "mail_from", "operator_email", "smtp_ca_file", "ui_url", mode="before")
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

    @field_validator("smtp_ca_file", mode="after")
    @classmethod
    def _loads(cls, value):
        if value is not None:
            tls_context(value.expanduser().resolve())  # fails early, naming the variable and path
            return value.expanduser().resolve()
        return value

    @field_validator("ui_url", mode="after")
    @classmethod
    def _http_url(cls, value):
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"{UI_URL_VARIABLE}={value!r} is not an http(s) URL (e.g. https://dagster.example.org)")
        return value.rstrip("/")

    def mail_settings(self) -> MailSettings:
        smtp = None
        if self.smtp_host:
            port = DEFAULT_PORTS[self.smtp_tls] if self.smtp_port is None else self.smtp_port
            smtp = SmtpConfig(host=self.smtp_host, port=port, user=self.smtp_user,
                              password=self.smtp_password, tls=self.smtp_tls, ca_file=self.smtp_ca_file)
        return MailSettings(sender=self.mail_from, recipients=self.mail_to,
                            operator=self.operator_email or "", smtp=smtp, ui_url=self.ui_url)


# Each mail setting -> the environment variable it is read from. ``MAIL_ENV``: the pinned ones,
# one field each on the Dagster resource (read through ``EnvVar``); ``PLAIN_MAIL_ENV``: the rest.
_PLAIN = ("smtp_ca_file", "ui_url")
_VARIABLES = {name: f"{MailVariables.model_config['env_prefix']}{name.upper()}" for name in MailVariables.model_fields}
MAIL_ENV = {name: variable for name, variable in _VARIABLES.items() if name not in _PLAIN}
PLAIN_MAIL_ENV = {name: _VARIABLES[name] for name in _PLAIN}
CA_FILE_VARIABLE, UI_URL_VARIABLE = PLAIN_MAIL_ENV["smtp_ca_file"], PLAIN_MAIL_ENV["ui_url"]

# How the one-line error puts a bad value, by pydantic error type.
PROBLEMS = {"int_parsing": "is not a whole number", "literal_error": f"is not one of {', '.join(TLS_MODES)}"}


def parse_mail_settings(*, smtp_host: str = "", smtp_port: str = "", smtp_user: str = "",
                        smtp_password: str = "", smtp_tls: str = "", mail_from: str = "",
                        mail_to: str = "", operator_email: str = "", smtp_ca_file: str | None = None,
                        ui_url: str | None = None) -> MailSettings:
    """Mail settings from their raw text (as in the variables of ``MAIL_ENV`` and
    ``PLAIN_MAIL_ENV``; empty: unset). Only a setting of ``PLAIN_MAIL_ENV`` that is not given
    (None) is read from the process environment."""
    plain = {name: os.environ.get(variable, "") if value is None else value
             for (name, variable), value in zip(PLAIN_MAIL_ENV.items(), (smtp_ca_file, ui_url), strict=True)}
    try:
        return MailVariables(
            smtp_host=smtp_host, smtp_port=smtp_port, smtp_user=smtp_user, smtp_password=smtp_password,
            smtp_tls=smtp_tls, mail_from=mail_from, mail_to=mail_to, operator_email=operator_email, **plain,
        ).mail_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "value_error":  # a validator's own words
            raise DeliveryError(str(error["ctx"]["error"])) from None
        problem = PROBLEMS.get(error["type"], error["msg"])
        raise DeliveryError(f"{MAIL_ENV[error['loc'][0]]}={error['input']!r} {problem}") from None


def mail_settings_from_env(env: dict[str, str]) -> MailSettings:
    """Read the variables of ``MAIL_ENV`` and ``PLAIN_MAIL_ENV`` from ``env`` (only)."""
    return parse_mail_settings(**{name: env.get(var) or "" for name, var in {**MAIL_ENV, **PLAIN_MAIL_ENV}.items()})
