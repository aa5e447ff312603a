"""Idempotency keys in memory: changes stay in the transaction until it commits."""

from dataclasses import replace
from datetime import datetime

from adapters.memory.tables import Changes, InMemoryDatabase
from application.ports import IdempotencyRecord


class InMemoryIdempotencyStore:
    def __init__(self, db: InMemoryDatabase, changes: Changes) -> None:
        self._db, self._changes = db, changes

    def _visible(self) -> dict[tuple[str, str], IdempotencyRecord]:
        rows = {**self._db.idempotency, **self._changes.idempotency}
        return {key: row for key, row in rows.items() if row is not None}

    async def add(self, record: IdempotencyRecord) -> bool:
        key = (record.scope, record.key)
        if key in self._visible():
            return False
        self._changes.idempotency[key] = record
        return True

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        return self._visible().get((scope, key))

    async def complete(
        self, scope: str, key: str, *, response: bytes, expires_at: datetime
    ) -> None:
        record = self._visible().get((scope, key))
        if record is not None:
            done = replace(record, response=response, expires_at=expires_at)
            self._changes.idempotency[scope, key] = done

    async def release(self, scope: str, key: str) -> None:
        record = self._visible().get((scope, key))
        if record is not None and record.response is None:
            self._changes.idempotency[scope, key] = None

    async def purge(self, now: datetime) -> None:
        for key, record in self._visible().items():
            if record.expires_at <= now:
                self._changes.idempotency[key] = None
