"""Errors a person can act on. Each names its field and a stable code the window
translates; `message` is the English fallback for logs and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused an operation; nothing was changed."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ValidationError(DomainError):
    """Bad input in one named field."""

    code = "invalid"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class NotFoundError(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"
