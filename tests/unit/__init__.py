"""Unit tests: the domain and the use cases over fakes and the in-memory adapters."""
