#!/usr/bin/env python3
"""Play the user's browser through the test rig's OAuth sign-up pages.

    browser.py AUTHORIZATION_URL --redirect-uri URI --username U --password P
               [--action signup|login|deny]
    browser.py --device VERIFICATION_URI_COMPLETE --username U --password P
               [--action signup|login|deny]

Opens the authorization URL (or a homeserver's SSO redirect URL, whose
identity provider is the rig's OAuth server), follows redirects with cookies,
fills the sign-up (or sign-in) form and the consent page of the rig's OAuth server
(scripts/oauth), and stops at the redirect to the app's redirect URI, which
it prints on stdout without opening it. `deny` refuses consent. With
--device it plays the user of a device authorization (RFC 8628) instead:
opens the verification URI with the user code, confirms the device (`deny`
aborts there), signs up or in, consents, and prints `approved` at the
success page or `denied` after the abort. Exits 1 with a message on stderr
when a page is not what it expects.

Standard library only, so that the C tests can run it with python3.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

MAX_STEPS = 20
TIMEOUT_S = 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller, which decides whether to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send `Secure` cookies over the rig's plain http (loopback only):
    Synapse marks its SSO session cookie Secure whatever its scheme."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(LoopbackCookiePolicy())),
            NoRedirect())

    def request(self, url: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        data = None if form is None else urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(url, data=data, method="GET" if form is None else "POST")
        req.add_header("User-Agent", "mxreg-test-browser/1.0")
        try:
            with self.opener.open(req, timeout=TIMEOUT_S) as resp:
                return resp.status, dict(resp.headers), resp.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode(errors="replace")


def form_action(page: str, form_id: str) -> str | None:
    match = re.search(rf'<form id="{form_id}"[^>]*action="([^"]+)"', page)
    return match.group(1).replace("&amp;", "&") if match else None


def signup_link(page: str) -> str | None:
    """The sign-in page's "Create an account" link (a client that did not
    ask for prompt=create, such as Synapse signing a user up through SSO)."""
    match = re.search(r'<a id="signup" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden fields of the page's form (html-escaped values decoded)."""
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in fields}


def device_step(body: str, args: argparse.Namespace) -> tuple[str, dict[str, str]] | str | None:
    """The device flow's own pages: the next form to post, the outcome at
    the end (`approved` / `denied`), or None for any other page."""
    if 'id="device-success"' in body:
        return "approved"
    if (action := form_action(body, r"op\.deviceConfirmForm")) is not None:
        form = hidden_inputs(body)
        if args.action == "deny":
            form["abort"] = "yes"
        return action, form
    if 'id="op.deviceInputForm"' in body:
        # Back at the code page: after an abort, with its message.
        return "denied" if args.action == "deny" and 'role="alert"' in body else None
    # oidc-provider's auto-submitting form (the code from the URI).
    if (match := re.search(r'<form method="post" action="([^"]+)"', body)) is not None:
        return html.unescape(match.group(1)), hidden_inputs(body)
    return None


def is_redirect_to(url: str, redirect_uri: str) -> bool:
    return url == redirect_uri or url.startswith((redirect_uri + "?", redirect_uri + "#"))


def run(args: argparse.Namespace) -> str:
    browser = Browser()
    url, form = args.url, None
    for _ in range(MAX_STEPS):
        status, headers, body = browser.request(url, form)
        form = None
        if 300 <= status < 400:
            url = urllib.parse.urljoin(url, headers.get("Location", ""))
            if args.redirect_uri and is_redirect_to(url, args.redirect_uri):
                return url
            continue
        if args.device and (step := device_step(body, args)) is not None:
            if isinstance(step, str):
                return step
            action, form = step
            url = urllib.parse.urljoin(url, action)
            continue
        if status != 200:
            raise SystemExit(f"browser: HTTP {status} at {url}: {body[:300]}")
        if (action := form_action(body, "create")) is not None:
            if args.action == "login":
                url = urllib.parse.urljoin(url, "?login=1")
                continue
            form = {"username": args.username, "displayname": f"Test {args.username}",
                    "password": args.password, "password_confirm": args.password,
                    "accept_terms": "1"}
        elif (action := form_action(body, "login")) is not None:
            if args.action == "signup" and (link := signup_link(body)) is not None:
                url = urllib.parse.urljoin(url, link)
                continue
            form = {"username": args.username, "password": args.password}
        elif (action := form_action(body, "deny" if args.action == "deny" else "consent")):
            form = {}
        else:
            raise SystemExit(f"browser: unexpected page at {url}: {body[:300]}")
        url = urllib.parse.urljoin(url, action)
    raise SystemExit(f"browser: no end after {MAX_STEPS} steps (last page {url})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the authorization URL mxreg built (the verification URI with --device)")
    parser.add_argument("--redirect-uri", help="the app's redirect URI (not with --device)")
    parser.add_argument("--device", action="store_true", help="approve (or deny) a device authorization")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--action", choices=["signup", "login", "deny"], default="signup")
    args = parser.parse_args()
    if bool(args.device) == bool(args.redirect_uri):
        parser.error("give either --redirect-uri or --device")
    print(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
