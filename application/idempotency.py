"""Safe retries of creates: an `Idempotency-Key` makes a create happen at most once.

A key belongs to a caller (`scope`): the first request with it claims it, in a transaction
of its own that commits at once, so every process sees it in flight; the create then stores
the response it gave in the same transaction as the row it created (`complete`, from the
write path in writes.py). A retry with the same key and the same request gets that response
back; with a different request, `IdempotencyKeyReused`; while the first is still running,
`IdempotencyKeyInFlight`. A create
that fails releases its key, so a retry runs again. Keys expire after `ttl`; a claim left
by a process that died, or that the database failed to release (it was down), lapses after
`abandoned_after`, and until then a retry gets `IdempotencyKeyInFlight`. Each claim first
deletes the expired keys (and lapsed claims): no separate job to run.
"""

from dataclasses import dataclass
from datetime import timedelta

from application.ports import Clock, IdempotencyRecord, UnitOfWork, UnitOfWorkFactory
from domain.errors import DomainError, InvariantViolated

TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=70)  # beyond any create: every wait it makes is bounded
HEADER = "Idempotency-Key"


class IdempotencyKeyInFlight(DomainError):
    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still being processed")


class IdempotencyKeyReused(InvariantViolated):
    def __init__(self) -> None:
        super().__init__(HEADER, "was already used with a different request")


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    scope: str  # the caller and the operation, e.g. "POST /items user:7"
    key: str
    fingerprint: str  # a digest of the request: the same key must come with the same one


@dataclass(frozen=True, slots=True)
class Replay:
    """The response stored for a key, for a retry of the request that made it."""

    response: bytes


class IdempotencyKeys:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ttl: timedelta = TTL,
        abandoned_after: timedelta = ABANDONED_AFTER,
    ) -> None:
        self._uow, self._clock = uow, clock
        self._ttl, self._abandoned_after = ttl, abandoned_after

    async def claim(self, key: IdempotencyKey) -> Replay | None:
        """None: the key is ours now, go ahead. Else the response stored for it. Raises
        IdempotencyKeyReused or IdempotencyKeyInFlight."""
        now = self._clock.now()
        record = IdempotencyRecord(
            scope=key.scope,
            key=key.key,
            fingerprint=key.fingerprint,
            response=None,
            created_at=now,
            expires_at=now + self._abandoned_after,  # unless the create completes it
        )
        async with self._uow() as uow:
            await uow.idempotency.purge(now)
            claimed = await uow.idempotency.add(record)
            existing = None if claimed else await uow.idempotency.get(key.scope, key.key)
            await uow.commit()
        if claimed:
            return None
        return _verdict(existing, key)

    async def release(self, key: IdempotencyKey) -> None:
        """Forgets a claim whose create failed, so that a retry runs it again."""
        async with self._uow() as uow:
            await uow.idempotency.release(key.scope, key.key)
            await uow.commit()

    async def complete(self, uow: UnitOfWork, key: IdempotencyKey, *, response: bytes) -> None:
        """Keeps the response for a claimed key, in the create's own transaction."""
        expires_at = self._clock.now() + self._ttl
        await uow.idempotency.complete(key.scope, key.key, response=response, expires_at=expires_at)


def _verdict(existing: IdempotencyRecord | None, key: IdempotencyKey) -> Replay:
    if existing is None:  # it expired between our insert and our read: rare, retry later
        raise IdempotencyKeyInFlight()
    if existing.fingerprint != key.fingerprint:
        raise IdempotencyKeyReused()
    if existing.response is None:
        raise IdempotencyKeyInFlight()
    return Replay(existing.response)
