from orchestration.resources import MailResource
from reports.mail_settings import MAIL_ENV, mail_settings_from_env

ENV = {"FLOPCAST_SMTP_HOST": "mail.example.org", "FLOPCAST_SMTP_TLS": "ssl", "FLOPCAST_SMTP_USER": "flopcast",
       "FLOPCAST_SMTP_PASSWORD": "pw-4711-secret", "FLOPCAST_MAIL_FROM": "f@example.org",
       "FLOPCAST_MAIL_TO": "a@example.org, b@example.org"}


def test_mail_resource_shows_variable_names_and_parses_like_the_cli(monkeypatch):
    for name in MAIL_ENV.values():
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    resource = MailResource.from_env()
    assert "pw-4711-secret" not in repr(resource) and "FLOPCAST_SMTP_PASSWORD" in repr(resource)
    settings = resource.process_config_and_initialize().mail_settings()
    assert settings == mail_settings_from_env(ENV)
    assert settings.smtp.port == 465 and settings.recipients == ("a@example.org", "b@example.org")
    assert "pw-4711-secret" not in repr(settings)
