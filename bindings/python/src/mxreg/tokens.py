"""`Tokens`: the answer of a refresh (`Client.refresh`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = ["Tokens"]


@dataclass(frozen=True)
class Tokens:
    """A refreshed token pair. Both tokens are secrets, left out of `repr()`."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    """The refresh token to use next time; None when the server kept the old one valid."""
    expires_in_ms: int | None
    """Lifetime of the new access token; None when it does not expire."""
    expires_at_ms: int | None
    """Expiry of the new access token in ms since the Unix epoch, or None."""

    @property
    def expires_at(self) -> datetime | None:
        """When the new access token expires (UTC), or None."""
        if self.expires_at_ms is None:
            return None
        return datetime.fromtimestamp(self.expires_at_ms / 1000, tz=timezone.utc)
