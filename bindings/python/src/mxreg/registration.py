"""`Registration`: the account a successful registration created."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["Registration"]


@dataclass(frozen=True)
class Registration:
    """A new account: its user ID, device and tokens.

    The tokens are secrets: they are left out of `repr()` and of
    `to_dict()` unless asked for. (Python strings cannot be wiped from
    memory; the native copy is wiped as soon as this object is built.)
    """

    user_id: str
    device_id: str | None
    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in_ms: int | None
    """Lifetime of the access token as the server gave it; None when it does not expire."""
    expires_at_ms: int | None
    """When the access token expires, in ms since the Unix epoch; None when it does not."""

    @property
    def localpart(self) -> str:
        """`alice` for `@alice:example.org`."""
        return self.user_id[1:].split(":", 1)[0]

    @property
    def expires_at(self) -> datetime | None:
        """When the access token expires (UTC), or None."""
        if self.expires_at_ms is None:
            return None
        return datetime.fromtimestamp(self.expires_at_ms / 1000, tz=timezone.utc)

    def to_dict(self, *, show_tokens: bool = False) -> dict[str, Any]:
        """A JSON-ready dict; the tokens only with `show_tokens=True`."""
        out: dict[str, Any] = {
            "user_id": self.user_id,
            "device_id": self.device_id,
            "expires_in_ms": self.expires_in_ms,
            "expires_at_ms": self.expires_at_ms,
        }
        if show_tokens:
            out["access_token"] = self.access_token
            out["refresh_token"] = self.refresh_token
        return out
