"""Idempotency keys in the `idempotency_keys` table, in the unit of work's transaction."""

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Delete, Select, Update, bindparam, delete, select, update

from adapters.sqlalchemy.dialect import insert_for
from adapters.sqlalchemy.tables import idempotency_keys as table
from application.ports import IdempotencyRecord

_COLUMNS = ("scope", "key", "fingerprint", "response", "created_at", "expires_at")
# Parameter names differ from the columns': an UPDATE keeps those for its SET clause.
_THE_KEY = (table.c.scope == bindparam("of_scope")) & (table.c.key == bindparam("of_key"))
_GET: Select[Any] = select(*(table.c[name] for name in _COLUMNS)).where(_THE_KEY)
_COMPLETE: Update = (
    update(table)
    .where(_THE_KEY)
    .values(response=bindparam("new_response"), expires_at=bindparam("new_expiry"))
)
_RELEASE: Delete = delete(table).where(_THE_KEY, table.c.response.is_(None))
_PURGE: Delete = delete(table).where(table.c.expires_at <= bindparam("now"))
# ON CONFLICT DO NOTHING: a claim that finds the key taken changes nothing, and fails no
# transaction. Built once per dialect: a unit of work makes a store every time it opens.
_INSERT = {
    name: insert_for(name)(table).on_conflict_do_nothing() for name in ("postgresql", "sqlite")
}


class Executor(Protocol):
    """An AsyncConnection or an AsyncSession: all the store needs."""

    async def execute(self, statement: Any, parameters: Any = ..., /) -> Any: ...


class SqlAlchemyIdempotencyStore:
    def __init__(self, executor: Executor, *, dialect: str) -> None:
        self._db = executor
        self._insert = _INSERT[dialect]

    async def add(self, record: IdempotencyRecord) -> bool:
        values = {name: getattr(record, name) for name in _COLUMNS}
        result = await self._db.execute(self._insert, values)
        return bool(result.rowcount == 1)

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        row = (await self._db.execute(_GET, {"of_scope": scope, "of_key": key})).first()
        return None if row is None else IdempotencyRecord(**row._mapping)

    async def complete(
        self, scope: str, key: str, *, response: bytes, expires_at: datetime
    ) -> None:
        params = {"of_scope": scope, "of_key": key, "new_response": response}
        await self._db.execute(_COMPLETE, {**params, "new_expiry": expires_at})

    async def release(self, scope: str, key: str) -> None:
        await self._db.execute(_RELEASE, {"of_scope": scope, "of_key": key})

    async def purge(self, now: datetime) -> None:
        await self._db.execute(_PURGE, {"now": now})
