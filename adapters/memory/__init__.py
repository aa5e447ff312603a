"""The in-memory backend: the fakes of the unit tests, also runnable as a real store."""

from adapters.memory.readers import InMemoryItemReader, InMemoryReader, InMemoryUserReader
from adapters.memory.tables import InMemoryDatabase
from adapters.memory.unit_of_work import InMemoryUnitOfWork

__all__ = [
    "InMemoryDatabase",
    "InMemoryItemReader",
    "InMemoryReader",
    "InMemoryUnitOfWork",
    "InMemoryUserReader",
]
