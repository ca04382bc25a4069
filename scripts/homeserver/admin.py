"""Synapse's admin API as the rig uses it: the admin account made at
start, registration tokens and login tokens for the tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from .errors import RigError

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password-1"


def http_json(method: str, url: str, body: dict | None = None, token: str | None = None,
              timeout: float = 10.0) -> tuple[int, dict | str]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def _expect(what: str, status: int, body: dict | str, key: str) -> str:
    """body[key] from a 200 answer, else a RigError naming the step."""
    if status != 200 or not isinstance(body, dict) or key not in body:
        raise RigError(f"{what}: HTTP {status}: {json.dumps(body)}")
    return body[key]


def register_admin(base_url: str, secret: str) -> str:
    """Register the admin account with the shared secret; its access token."""
    status, body = http_json("GET", base_url + "/_synapse/admin/v1/register")
    nonce = _expect("admin nonce", status, body, "nonce")
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, ADMIN_USER, ADMIN_PASSWORD):
        mac.update(part.encode())
        mac.update(b"\x00")
    mac.update(b"admin")
    status, body = http_json("POST", base_url + "/_synapse/admin/v1/register", {
        "nonce": nonce, "username": ADMIN_USER, "password": ADMIN_PASSWORD,
        "admin": True, "mac": mac.hexdigest()})
    return _expect("admin registration", status, body, "access_token")


def create_registration_token(url: str, admin_token: str, uses: int | None,
                              expiry_ms: int | None, token: str | None, exist_ok: bool) -> str:
    body: dict = {}
    if uses is not None:
        body["uses_allowed"] = uses
    if expiry_ms is not None:
        body["expiry_time"] = int(time.time() * 1000) + expiry_ms
    if token is not None:
        body["token"] = token
    status, resp = http_json("POST", url + "/_synapse/admin/v1/registration_tokens/new", body,
                             admin_token)
    if exist_ok and token is not None and status == 400 and "already exists" in str(resp):
        return token
    return _expect("token-create", status, resp, "token")


def login_token(url: str, admin_token: str, user: str) -> str:
    """A single-use m.login.token for user: the admin API logs in as the
    user (a device only the admin knows), and that session asks for a token
    (POST /login/get_token, enabled on the open variant)."""
    quoted = urllib.parse.quote(user, safe="")
    status, resp = http_json("POST", f"{url}/_synapse/admin/v1/users/{quoted}/login", {},
                             admin_token)
    access_token = _expect(f"login-token: admin login as {user}", status, resp, "access_token")
    status, resp = http_json("POST", url + "/_matrix/client/v1/login/get_token", {}, access_token)
    return _expect("login-token: get_token", status, resp, "login_token")
