"""The in-memory backend: the fakes of the unit tests, also runnable as a real store."""

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork

__all__ = ["InMemoryDatabase", "InMemoryUnitOfWork"]
