"""Domain errors: plain exceptions that every entrypoint maps to its own language."""


class DomainError(Exception):
    """Base of every error the business rules raise."""


class NotFound(DomainError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class EmailAlreadyRegistered(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"email {email} is already registered")
        self.email = email


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("invalid credentials")


class NotAuthenticated(DomainError):
    """No credentials were offered at all (InvalidCredentials: some were, and are wrong)."""

    def __init__(self) -> None:
        super().__init__("not authenticated")


class PermissionDenied(DomainError):
    def __init__(self, reason: str = "not allowed") -> None:
        super().__init__(reason)


class VersionConflict(DomainError):
    """A write based on a version that is no longer current (a lost race)."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} was changed by someone else")
        self.kind = kind
        self.key = key


class PreconditionFailed(VersionConflict):
    """The caller named the version it expected, and it is not the current one."""


class InvariantViolated(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TooManyAttempts(DomainError):
    """Too many failed logins for an account or from an address: wait, then try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after} s")
        self.retry_after = retry_after
