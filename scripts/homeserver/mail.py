"""The email variant's validation links, read from the mails the SMTP
sink wrote (<variant>/mail/*.eml)."""

from __future__ import annotations

import email
import email.policy
import email.utils
import html
import re
import time
from pathlib import Path

from .errors import RigError

LINK_RE = re.compile(r"""https?://[^\s"'<>]+/_matrix/client/unstable/registration/email/submit_token\?[^\s"'<>]+""")


def _mail_recipients(msg) -> set[str]:
    addrs = set()
    for hdr in ("X-Sink-Rcpt-Tos", "To", "Cc", "Delivered-To"):
        for value in msg.get_all(hdr, []):
            for _name, addr in email.utils.getaddresses([str(value)]):
                if addr:
                    addrs.add(addr.lower())
    return addrs


def extract_link(msg) -> str | None:
    """The validation link of a parsed message (text/plain first, then HTML)."""
    bodies = []
    for prefer in ("plain", "html"):
        for part in msg.walk():
            if part.get_content_maintype() == "multipart":
                continue
            if part.get_content_subtype() != prefer:
                continue
            try:
                bodies.append(part.get_content())
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True) or b""
                bodies.append(payload.decode(errors="replace"))
    if not msg.is_multipart() and not bodies:
        bodies.append(str(msg.get_payload()))
    for text in bodies:
        m = LINK_RE.search(text)
        if m:
            return html.unescape(m.group(0))
    return None


def find_mail_link(md: Path, to: str, since: float | None = None) -> str | None:
    to = to.lower()
    files = sorted(md.glob("*.eml"), reverse=True)  # names start with time_ns: newest first
    for f in files:
        if since is not None and f.stat().st_mtime < since:
            continue
        try:
            with open(f, "rb") as fh:
                msg = email.message_from_binary_file(fh, policy=email.policy.default)
        except OSError:
            continue
        if to not in _mail_recipients(msg):
            continue
        link = extract_link(msg)
        if link:
            return link
    return None


def wait_for_mail_link(md: Path, to: str, since: float | None, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        link = find_mail_link(md, to, since)
        if link:
            return link
        if time.monotonic() > deadline:
            raise RigError(f"mail-link: no validation mail to {to} in {md} after {timeout:g} s")
        time.sleep(0.1)
