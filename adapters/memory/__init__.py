"""The in-memory backend: the fakes of the unit tests, also runnable as a real store."""

from adapters.memory.readers import InMemoryItemReader, InMemoryUserReader
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork

__all__ = [
    "InMemoryDatabase",
    "InMemoryItemReader",
    "InMemoryUnitOfWork",
    "InMemoryUserReader",
]
