"""FLOPCAST_SMTP_CA_FILE: a mail server whose certificate is signed by a private CA is trusted for
STARTTLS and implicit TLS once the CA's PEM file is configured, and refused (permanently, with
the variable named) without it. A real TLS SMTP server on loopback (aiosmtpd), with a throwaway
CA made by the openssl command line."""

import shutil
import ssl
import subprocess
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from common.processes import free_port
from reports.mail_settings import DeliveryError, SmtpConfig, mail_settings_from_env
from reports.mail_transport import PermanentSendError, SmtpTransport

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory):
    """(ca.pem, server context): a CA and a certificate for 127.0.0.1 it signed (EC keys: fast)."""
    folder = tmp_path_factory.mktemp("private-ca")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=flopcast test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                       "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=folder)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(folder / "server.pem", folder / "server.key")
    return folder / "ca.pem", server


class Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request, private_ca):
    """(tls mode, port, inbox): an SMTP server speaking STARTTLS (required) or implicit TLS."""
    _, server_context = private_ca
    inbox = Inbox()
    if request.param == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                                tls_context=server_context, require_starttls=True)
    else:
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=server_context)
    controller.start()
    yield request.param, controller.port, inbox
    controller.stop()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "f@example.org", "ops@example.org", "hello"
    message.set_content("over TLS")
    return message


def _settings(mode, port, ca_file=None):
    env = {"FLOPCAST_SMTP_HOST": "127.0.0.1", "FLOPCAST_SMTP_PORT": str(port), "FLOPCAST_SMTP_TLS": mode}
    if ca_file is not None:
        env["FLOPCAST_SMTP_CA_FILE"] = str(ca_file)
    return mail_settings_from_env(env).smtp


def test_the_private_ca_file_makes_the_server_trusted(tls_server, private_ca):
    mode, port, inbox = tls_server
    ca_file, _ = private_ca
    where = SmtpTransport(_settings(mode, port, ca_file)).send(_message())
    assert where == f"smtp 127.0.0.1:{port}" and len(inbox.received) == 1


def test_without_the_ca_file_the_server_is_refused_naming_the_variable(tls_server):
    mode, port, inbox = tls_server
    config = SmtpConfig(host="127.0.0.1", port=port, tls=mode, timeout_s=5)
    with pytest.raises(PermanentSendError, match="certificate.*FLOPCAST_SMTP_CA_FILE"):
        SmtpTransport(config).send(_message())
    assert inbox.received == []


def test_the_ca_file_adds_to_the_system_trust_store(private_ca):
    ca_file, _ = private_ca
    system = ssl.create_default_context().cert_store_stats()["x509_ca"]
    config = _settings("starttls", 587, ca_file)
    assert config.ca_file == ca_file.resolve()
    assert config.tls_context().cert_store_stats()["x509_ca"] == system + 1
    assert config.tls_context().verify_mode == ssl.CERT_REQUIRED and config.tls_context().check_hostname


@pytest.mark.parametrize(("make", "problem"), [
    (lambda folder: folder / "missing.pem", "no such file"),
    (lambda folder: folder, "cannot be read (Is a directory)"),
    (lambda folder: (folder / "junk.pem").write_text("not a certificate\n") and folder / "junk.pem",
     "cannot be used (not PEM CA certificates"),
])
def test_an_unusable_ca_file_is_one_line_naming_the_variable_and_the_path(tmp_path, make, problem):
    path = make(tmp_path)
    with pytest.raises(DeliveryError) as caught:
        mail_settings_from_env({"FLOPCAST_SMTP_HOST": "mail.example.org", "FLOPCAST_SMTP_CA_FILE": str(path)})
    text = str(caught.value)
    assert text.startswith(f"FLOPCAST_SMTP_CA_FILE={str(path)!r}") and problem in text and "\n" not in text
