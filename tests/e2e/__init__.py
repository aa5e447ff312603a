"""The REST contract over HTTP, through the whole app; fakes only where tests need speed."""
