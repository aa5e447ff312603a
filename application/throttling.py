"""The login throttle port: failed logins counted per account and per client address."""

from typing import Protocol


class LoginThrottle(Protocol):
    """Counts failed logins in a window, per account (the normalised email, registered
    or not: throttling only known accounts would tell which exist) and per address."""

    async def retry_after(self, *, account: str | None, address: str | None) -> int | None:
        """Seconds until the account or the address may try again, or None if it may now."""

    async def failed(self, *, account: str | None, address: str | None) -> None:
        """Counts one failed login against both."""

    async def succeeded(self, *, account: str) -> None:
        """Forgets the account's failures (the address's stay counted)."""
