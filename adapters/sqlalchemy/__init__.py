"""The SQLAlchemy backend: Core tables, repositories and a unit of work, on SQLite and PostgreSQL."""
