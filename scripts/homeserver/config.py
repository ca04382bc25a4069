"""The Synapse configuration of each variant: what the variant is for
(open, token, email, ...) spelled out as homeserver.yaml settings."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from .layout import CONSENT_TEMPLATES, OAUTH_PORT, OAUTH_PORTS, STUBS, vdir
from .oauth import SSO_CLIENT_ID, SSO_IDP_ID
from .stand_ins import RECAPTCHA_PRIVATE_KEY

LENIENT = {"per_second": 50, "burst_count": 500}
HUGE = {"per_second": 100000, "burst_count": 1000000}


def _rate_limits(variant: str) -> dict:
    if variant == "stress":
        return {
            "rc_message": HUGE,
            "rc_registration": HUGE,
            "rc_registration_token_validity": HUGE,
            "rc_login": {"address": HUGE, "account": HUGE, "failed_attempts": HUGE},
            "rc_admin_redaction": HUGE,
            "rc_joins": {"local": HUGE, "remote": HUGE},
            "rc_joins_per_room": HUGE,
            "rc_3pid_validation": HUGE,
            "rc_invites": {"per_room": HUGE, "per_user": HUGE, "per_issuer": HUGE},
            "rc_third_party_invite": HUGE,
            "rc_media_create": HUGE,
            "rc_key_requests": HUGE,
            "rc_presence": {"per_user": HUGE},
            "rc_delayed_event_mgmt": HUGE,
            "rc_reports": HUGE,
            "rc_room_creation": HUGE,
            "rc_user_directory": HUGE,
            "rc_profile": HUGE,
        }
    if variant == "ratelimit":
        return {"rc_registration": {"per_second": 0.1, "burst_count": 2}}
    # Lenient limits so that a test suite's logins / token checks / 3pid
    # requests against the same server do not trip Synapse's low defaults.
    return {
        "rc_registration": LENIENT,
        "rc_registration_token_validity": LENIENT,
        "rc_login": {"address": LENIENT, "account": LENIENT, "failed_attempts": LENIENT},
        "rc_3pid_validation": LENIENT,
    }


def build_config(variant: str, port: int, smtp_port: int) -> dict:
    d = vdir(variant)
    base_url = f"http://127.0.0.1:{port}"
    resources = ["client"] + (["consent"] if variant == "terms" else [])
    cfg: dict = {
        "server_name": "localhost",
        "public_baseurl": base_url + "/",
        "pid_file": str(d / "synapse-internal.pid"),
        "listeners": [{
            "port": port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": resources, "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
        "media_store_path": str(d / "media_store"),
        "signing_key_path": str(d / "localhost.signing.key"),
        "registration_shared_secret": secrets.token_hex(24),
        "macaroon_secret_key": secrets.token_hex(24),
        "form_secret": secrets.token_hex(24),
        "bcrypt_rounds": 4,
        "report_stats": False,
        "enable_metrics": False,
        # no federation, no outbound traffic
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "allow_public_rooms_over_federation": False,
        "url_preview_enabled": False,
        "push": {"enabled": False},
        "presence": {"enabled": False},
        "enable_3pid_lookup": False,
        # registration
        "enable_registration": variant != "closed",
        "allow_guest_access": variant in ("open", "ratelimit", "stress"),
    }
    if variant in ("open", "ratelimit", "stress", "terms", "limited"):
        cfg["enable_registration_without_verification"] = True
    if variant in ("open", "ratelimit"):
        cfg["password_config"] = {"enabled": True, "policy": {
            "enabled": True, "minimum_length": 8, "require_digit": True}}
    if variant == "token":
        cfg["registration_requires_token"] = True
    if variant == "open":
        # POST /login/get_token hands out m.login.token tokens, so that the
        # token login (the last step of SSO) is testable without an IdP.
        cfg["login_via_existing_session"] = {"enabled": True, "require_ui_auth": False}
        add_appservice(cfg, d)
    if variant == "email":
        cfg["registrations_require_3pid"] = ["email"]
        # Addresses outside example.org are refused (M_THREEPID_DENIED).
        cfg["allowed_local_3pids"] = [{"medium": "email", "pattern": r"^[^@]+@example\.org$"}]
        cfg["email"] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "enable_tls": False,
            "force_tls": False,
            "require_transport_security": False,
            "notif_from": "mxreg test Synapse <noreply@localhost>",
            "app_name": "mxreg test",
            "enable_notifs": False,
        }
    if variant == "oauth":
        # Appservice registration there needs inhibit_login (spec v1.17).
        add_appservice(cfg, d)
        # Delegation forbids Synapse's own registration and passwords.
        cfg["enable_registration"] = False
        cfg["password_config"] = {"enabled": False}
        cfg["matrix_authentication_service"] = {
            "enabled": True,
            "endpoint": f"http://127.0.0.1:{OAUTH_PORT}/",
            "secret": secrets.token_hex(24),
        }
    if variant == "sso":
        # Synapse signs users in (and up) through the rig's OAuth server as
        # an upstream OpenID Connect provider; no /register.
        cfg["enable_registration"] = False
        cfg["oidc_providers"] = [{
            "idp_id": SSO_IDP_ID.removeprefix("oidc-"),
            "idp_name": "mxreg rig OAuth server",
            # http on loopback: Synapse's metadata checks want https.
            "skip_verification": True,
            "issuer": f"http://127.0.0.1:{OAUTH_PORTS['sso']}/",
            "client_id": SSO_CLIENT_ID,
            "client_secret": secrets.token_hex(24),
            "client_auth_method": "client_secret_basic",
            "pkce_method": "always",
            "scopes": ["openid", "profile"],
            "allow_existing_users": True,
            "user_mapping_provider": {"config": {
                "localpart_template": "{{ user.preferred_username }}",
                "display_name_template": "{{ user.name }}",
            }},
        }]
        # Redirects to the tests' app URL go straight back, without the
        # "continue to your app" confirmation page.
        cfg["sso"] = {"client_whitelist": ["http://127.0.0.1:9/"]}
    if variant == "terms":
        cfg["user_consent"] = {
            "template_dir": str(CONSENT_TEMPLATES),
            "version": "1.0",
            "require_at_registration": True,
            "policy_name": "mxreg Test Privacy Policy",
        }
    if variant == "captcha":
        cfg["enable_registration_captcha"] = True
        cfg["recaptcha_public_key"] = "mxreg-rig-recaptcha-site-key"
        cfg["recaptcha_private_key"] = RECAPTCHA_PRIVATE_KEY
        cfg["recaptcha_siteverify_api"] = f"http://127.0.0.1:{STUBS['captcha'][1]}/siteverify"
    if variant == "msisdn":
        cfg["registrations_require_3pid"] = ["msisdn"]
        cfg["account_threepid_delegates"] = {"msisdn": f"http://127.0.0.1:{STUBS['msisdn'][1]}"}
    if variant == "limited":
        # Synapse's resource-limit check (auth blocking) refuses every new
        # account, the admin's too, with this contact in the error.
        cfg["hs_disabled"] = True
        cfg["hs_disabled_message"] = "Registration is paused for maintenance"
        cfg["admin_contact"] = "mailto:admin@localhost"
    cfg.update(_rate_limits(variant))
    return cfg


def add_appservice(cfg: dict, d: Path) -> None:
    """An application service owning @mxregbot_*, for appservice
    registration tests (its as_token goes to `appservice_token`)."""
    as_token = secrets.token_hex(16)
    appservice = {
        "id": "mxreg-test", "url": None, "as_token": as_token,
        "hs_token": secrets.token_hex(16), "sender_localpart": "mxregbot",
        "namespaces": {"users": [{"exclusive": True, "regex": "@mxregbot_.*:localhost"}],
                       "aliases": [], "rooms": []},
    }
    (d / "appservice.yaml").write_text(json.dumps(appservice))  # JSON is YAML
    (d / "appservice_token").write_text(as_token)
    cfg["app_service_config_files"] = [str(d / "appservice.yaml")]


def write_signing_key(path: Path) -> None:
    """Synapse signing key file: 'ed25519 <key id> <unpadded base64 32-byte seed>'."""
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    path.write_text(f"ed25519 a_{secrets.token_hex(2)} {seed}\n")
    path.chmod(0o600)

