"""One router per resource; each endpoint parses, calls one use case, and maps the result."""
