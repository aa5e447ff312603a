"""Can `catalog serve` listen where it was told? Asked before it migrates or starts."""

import errno
import socket


def listen_problem(host: str, port: int) -> str | None:
    """Why binding `host:port` would fail, or None. Binds and closes at once, with the
    SO_REUSEADDR that uvicorn sets, so a port left in TIME_WAIT does not count as busy."""
    where = f"{host}:{port}"
    if not 0 <= port <= 65535:
        return f"cannot listen on {where}: the port must be between 0 and 65535"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        return f"cannot listen on {where}: {error.strerror}"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            busy = error.errno == errno.EADDRINUSE
            hint = " (is another server running there? choose another --port)" if busy else ""
            return f"cannot listen on {where}: {error.strerror or error}{hint}"
    return None
