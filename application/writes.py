"""The one write path: every change to the catalogue runs through `Writes`.

A use case states its rule — load, authorise, change, and the events that follow — as a
`Rule`: a function of the unit of work returning an `Outcome`. `Writes` does the rest,
once for every change: it opens the unit of work, runs the rule, records its events,
keeps the response of an `Idempotency-Key` in the same transaction, commits, and turns a
lost version race into the caller's failed precondition. (cosmicpython's service-layer
handlers are the model; there is no global bus: a use case calls `Writes` itself.)
"""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Generic, TypeVar

from application import snapshots
from application.idempotency import IdempotencyKey, IdempotencyKeys
from application.ports import UnitOfWork, UnitOfWorkFactory
from domain.errors import PreconditionFailed, VersionConflict
from domain.events import DomainEvent
from domain.rules import E

T = TypeVar("T")


@dataclass(frozen=True, slots=True, init=False)
class Outcome(Generic[T]):
    """What a rule made, and the events it caused."""

    value: T
    events: tuple[DomainEvent, ...]

    def __init__(self, value: T, *events: DomainEvent) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "events", events)


Rule = Callable[[UnitOfWork], Awaitable[Outcome[T]]]
Keep = Callable[[UnitOfWork, T], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """A create's result: made now, or `replayed` from an earlier request with its key."""

    value: T
    replayed: bool = False


class Writes:
    def __init__(self, *, uow: UnitOfWorkFactory, keys: IdempotencyKeys) -> None:
        self._uow, self._keys = uow, keys

    async def __call__(self, rule: Rule[T], *, expected_version: int | None = None) -> T:
        """Runs `rule` in one transaction. A write that lost a race to a concurrent one is
        a `VersionConflict` (409); for a caller who named the version they expected
        (`If-Match`), their precondition failed (412)."""
        try:
            return await self._commit(rule)
        except VersionConflict as lost:
            if expected_version is None or isinstance(lost, PreconditionFailed):
                raise
            raise PreconditionFailed(lost.kind, lost.key) from None

    async def once(self, rule: Rule[E], *, key: IdempotencyKey | None, kept: type[E]) -> Written[E]:
        """`rule` at most once for `key`: a retry gets what the first run made (a `kept`)."""
        if key is None:
            return Written(await self._commit(rule))
        stored = await self._keys.claim(key)
        if stored is not None:
            return Written(snapshots.load(kept, stored.response), replayed=True)

        async def keep(uow: UnitOfWork, made: E) -> None:
            await self._keys.complete(uow, key, response=snapshots.dump(made))

        try:
            return Written(await self._commit(rule, keep))
        except BaseException:
            # If the database cannot take the release either, the claim lapses by itself.
            with suppress(Exception):
                await self._keys.release(key)
            raise

    async def _commit(self, rule: Rule[T], keep: Keep[T] | None = None) -> T:
        async with self._uow() as uow:
            outcome = await rule(uow)
            for event in outcome.events:
                uow.record(event)
            if keep is not None:  # the response to a key, in the same transaction
                await keep(uow, outcome.value)
            await uow.commit()
        return outcome.value
