"""Domain errors: a message code plus parameters, translated by the conversation layer."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. `code` names a catalog message; nothing was written."""

    code = "error.generic"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class NotFound(DomainError):
    code = "error.not_found"


class PermissionDenied(DomainError):
    code = "error.permission"


class InvalidInput(DomainError):
    code = "error.invalid"


class Conflict(DomainError):
    code = "error.conflict"
