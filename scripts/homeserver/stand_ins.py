"""The stand-ins for what lies outside the homeserver, started next to
their variant: the SMTP sink that catches the email variant's mail, and
the servers in stand_in_servers/ for Google's captcha check (captcha) and
an SMS identity service (msisdn)."""

from __future__ import annotations

import sys

from .errors import EXIT_PORT_IN_USE, RigError, log
from .layout import STAND_IN_SERVERS, STUBS, VENV_PY, mail_dir, sms_dir
from .processes import port_free, start_listening

RECAPTCHA_PRIVATE_KEY = "mxreg-rig-recaptcha-private-key"


def start_smtp_sink(variant: str, port: int) -> None:
    """The sink writes every mail it receives to <variant>/mail/*.eml."""
    md = mail_dir(variant)
    md.mkdir()
    start_listening(variant, "SMTP sink", "smtp",
                    [str(VENV_PY), str(STAND_IN_SERVERS / "smtp_sink.py"), "--host", "127.0.0.1",
                     "--port", str(port), "--dir", str(md)], port, 15)
    log(f"{variant}: SMTP sink on 127.0.0.1:{port} writing to {md}")


def start_stub(variant: str) -> None:
    """The stand-in for the outside service the variant needs, on loopback."""
    script, port = STUBS[variant]
    if not port_free(port):
        raise RigError(f"{variant}: stand-in port {port} (127.0.0.1) is already in use",
                       EXIT_PORT_IN_USE)
    args = {"captcha": ["--secret", RECAPTCHA_PRIVATE_KEY],
            "msisdn": ["--dir", str(sms_dir(variant))]}[variant]
    start_listening(variant, script, "stub",
                    [sys.executable, str(STAND_IN_SERVERS / script), "--port", str(port), *args],
                    port, 15)
    log(f"{variant}: {script} on 127.0.0.1:{port}")
