"""The SQLAlchemy backend: Core tables, repositories, a unit of work; SQLite and PostgreSQL."""
