"""User-interactive authentication (UIA): what the server asks for, and the
`auth` dicts that answer it.

A registration the server wants more stages for raises `AuthRequiredError`;
its `auth_info` says which flows the server accepts, which stages are already
completed and the session to continue. Pass one of the dicts below as
`auth=` to the next `Client.register` call to complete a stage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AuthInfo",
    "DUMMY",
    "EMAIL_IDENTITY",
    "RECAPTCHA",
    "REGISTRATION_TOKEN",
    "TERMS",
    "dummy_auth",
    "registration_token_auth",
    "terms_auth",
]

DUMMY = "m.login.dummy"
REGISTRATION_TOKEN = "m.login.registration_token"
TERMS = "m.login.terms"
EMAIL_IDENTITY = "m.login.email.identity"
RECAPTCHA = "m.login.recaptcha"


@dataclass(frozen=True)
class AuthInfo:
    """The server's UIA answer: flows, completed stages, params, session."""

    session: str | None
    flows: tuple[tuple[str, ...], ...]
    completed: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    def pending(self, flow: tuple[str, ...]) -> tuple[str, ...]:
        """The stages of `flow` not completed yet, in order."""
        return tuple(stage for stage in flow if stage not in self.completed)

    def choose_flow(self, supported: set[str] | frozenset[str]) -> tuple[str, ...] | None:
        """The first flow whose remaining stages are all in `supported`, or None."""
        for flow in self.flows:
            if all(stage in supported for stage in self.pending(flow)):
                return flow
        return None

    def terms_policies(self) -> dict[str, str]:
        """For `m.login.terms`: policy name -> URL (English when offered)."""
        policies = self.params.get(TERMS, {}).get("policies", {})
        found = {}
        for name, policy in policies.items() if isinstance(policies, dict) else ():
            if not isinstance(policy, dict):
                continue
            languages = [policy.get("en")] + [v for k, v in policy.items() if k != "version"]
            for language in languages:
                if isinstance(language, dict) and isinstance(language.get("url"), str):
                    found[str(name)] = language["url"]
                    break
        return found

    @staticmethod
    def from_params_json(
        session: str | None, flows: tuple[tuple[str, ...], ...], completed: tuple[str, ...], params_json: str
    ) -> AuthInfo:
        params = json.loads(params_json)
        return AuthInfo(session, flows, completed, params if isinstance(params, dict) else {})


def _with_session(auth: dict[str, Any], session: str | None) -> dict[str, Any]:
    if session is not None:
        auth["session"] = session
    return auth


def dummy_auth(session: str | None) -> dict[str, Any]:
    """Completes `m.login.dummy`."""
    return _with_session({"type": DUMMY}, session)


def registration_token_auth(token: str, session: str | None) -> dict[str, Any]:
    """Completes `m.login.registration_token` with `token`."""
    return _with_session({"type": REGISTRATION_TOKEN, "token": token}, session)


def terms_auth(session: str | None) -> dict[str, Any]:
    """Completes `m.login.terms`: the user has accepted the policies in
    `AuthInfo.terms_policies()`."""
    return _with_session({"type": TERMS}, session)
