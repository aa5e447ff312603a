"""The Session entity: what a login opens, and what ends it.

A session holds the hash of its current refresh token (never the token), the hash it
replaced (a spent token presented again is reuse), and its two lifetimes: it lapses when
unused for the idle lifetime, and at its absolute end whatever the use.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain import rules

USER_AGENT_MAX = 255


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    id: int = rules.UNSAVED
    user_id: int
    refresh_hash: str = field(metadata=rules.CONFIDENTIAL)
    previous_hash: str | None = field(default=None, metadata=rules.CONFIDENTIAL)
    rotated_at: datetime | None = None  # when `previous_hash` was spent
    user_agent: str | None = None
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # the absolute end
    ended_at: datetime | None = None
    version: int = 1

    def __repr__(self) -> str:  # never show a hash
        return f"Session(id={self.id}, user_id={self.user_id}, version={self.version})"

    @classmethod
    def restore(cls, values: Mapping[str, object]) -> "Session":
        """A session as storage holds it; only repositories and readers call this."""
        return rules.restored(cls, values)

    @classmethod
    def open(
        cls,
        *,
        user_id: int,
        refresh_hash: str,
        user_agent: str | None,
        now: datetime,
        lifetime: timedelta,
    ) -> "Session":
        agent = None if user_agent is None else user_agent[:USER_AGENT_MAX]
        return cls(
            user_id=user_id,
            refresh_hash=refresh_hash,
            user_agent=agent,
            created_at=now,
            last_used_at=now,
            expires_at=now + lifetime,
        )

    def is_open(self, *, now: datetime, idle: timedelta) -> bool:
        return self.ended_at is None and now < self.expires_at and now < self.last_used_at + idle

    def rotate(self, *, refresh_hash: str, now: datetime) -> "Session":
        """The next version: `refresh_hash` current, the one it replaces spent now."""
        return replace(
            self,
            refresh_hash=refresh_hash,
            previous_hash=self.refresh_hash,
            rotated_at=now,
            last_used_at=now,
            version=self.version + 1,
        )

    def end(self, *, now: datetime) -> "Session":
        return replace(self, ended_at=self.ended_at or now, version=self.version + 1)
