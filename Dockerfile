# syntax=docker/dockerfile:1
# Catalog API image: `docker compose up` runs it on PostgreSQL (see docker-compose.yml).

# --- build: a virtual environment with the pinned dependencies and the project -----------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -c constraints.txt -r /tmp/requirements.txt
COPY alembic.ini ./
COPY alembic ./alembic
COPY domain ./domain
COPY application ./application
COPY adapters ./adapters
COPY entrypoints ./entrypoints
# Editable: the migrations stay beside the code, where the app finds them (/app/alembic).
RUN /opt/venv/bin/pip install --no-deps -c constraints.txt -e . \
    && /opt/venv/bin/python -m compileall -q /app

# --- runtime: no compilers, no pip cache, a non-root user ---------------------------------
FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin catalog \
    && mkdir /data && chown catalog:catalog /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CATALOG_DATABASE_URL=sqlite+aiosqlite:////data/catalog.db \
    CATALOG_LOG_FORMAT=json
# The SQLite database (the default without compose) lives here: a volume, so it outlives the
# container. Declared after the chown above, so the volume starts owned by `catalog`.
VOLUME ["/data"]
USER catalog
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
CMD ["catalog", "serve", "--host", "0.0.0.0", "--port", "8000"]
