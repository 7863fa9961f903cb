"""The one application error type.

Services raise :class:`ApplicationError` with a translatable message; the API exception handler
turns it into ``{"detail": ..., "code": ...}`` with a 4xx status and the HTML views into a form
error or a message. Bad input never becomes a 500.
"""


class ApplicationError(Exception):
    def __init__(self, message, *, code: str = "invalid", status: int = 400, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message, *, code: str = "permission_denied"):
        super().__init__(message, code=code, status=403)


class NotFoundError(ApplicationError):
    def __init__(self, message, *, code: str = "not_found"):
        super().__init__(message, code=code, status=404)
