"""The one application error type, and the error codes every app declares.

Services raise :class:`ApplicationError` with a translatable message and a code from their app's
``errors.py`` (``raise ApplicationError(_("…"), code=LeaveErrorCode.OVERLAP)``). The API's
exception handler (:mod:`callcenter.rest`) answers ``{"detail": ..., "code": ...}`` with a 4xx
status; the pages (:mod:`callcenter.pages`) turn it into a form error or a message. Bad input never
becomes a 500.

Error codes (Saleor's ``error_codes.py``): each app declares one :class:`ErrorCode` enum in its
``errors.py``; the enums register themselves here, the OpenAPI schema lists every app's codes
(``callcenter.rest.error_codes_schema_hook``), and a test refuses a code that is not declared.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError

__all__ = [
    "ERROR_CODE_ENUMS",
    "ApplicationError",
    "CoreErrorCode",
    "ErrorCode",
    "NotFoundError",
    "PermissionDeniedError",
    "validation_message",
]

# Every declared enum, in import order (one per app); read by the schema hook and the tests.
ERROR_CODE_ENUMS: list[type[ErrorCode]] = []


class ErrorCode(StrEnum):
    """Base of an app's error codes. Subclass it once per app in ``<app>/errors.py``; the values
    are the ``code`` strings clients see, so never rename one that has shipped."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ERROR_CODE_ENUMS.append(cls)

    @classmethod
    def app_label(cls) -> str:
        return cls.__module__.split(".")[0]


class CoreErrorCode(ErrorCode):
    """Codes every app may raise (the core's own refusals are here too)."""

    ACCOUNT_INACTIVE = "account_inactive"
    ALREADY_LEFT = "already_left"
    # Transfers and changes (GEN-1): a scheduled change only can be cancelled; one of a kind a day.
    CHANGE_NOT_SCHEDULED = "change_not_scheduled"
    CHANGE_SCHEDULED_TWICE = "change_scheduled_twice"
    # The org (issue 13): an appointee who has left, a department under itself, a team left unled.
    APPOINTEE_INACTIVE = "appointee_inactive"
    DUPLICATE_EFFECTIVE_DATE = "duplicate_effective_date"
    # Hiring and the staff import (GEN-1, callcenter.services.hiring).
    EMPLOYEE_NO_TAKEN = "employee_no_taken"
    IMPORT_ENCODING = "import_encoding"
    IMPORT_FILE_EMPTY = "import_file_empty"
    IMPORT_FILE_TOO_LARGE = "import_file_too_large"
    IMPORT_FILE_TYPE = "import_file_type"
    IMPORT_HEADER_INVALID = "import_header_invalid"
    IMPORT_ROWS_INVALID = "import_rows_invalid"
    IMPORT_STALE = "import_stale"
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
    EXIT_ITEM_BLOCKED = "exit_item_blocked"
    EXIT_ITEM_NOT_OWNER = "exit_item_not_owner"
    EXIT_ITEM_STATE = "exit_item_state"
    GRANT_ENDED = "grant_ended"
    GRANT_OVERLAP = "grant_overlap"
    GRANT_REASON_REQUIRED = "grant_reason_required"
    GRANT_REDUNDANT = "grant_redundant"
    GRANT_SELF = "grant_self"
    GRANT_TARGET_NOT_FOUND = "grant_target_not_found"
    GRANT_TOO_LONG = "grant_too_long"
    GRANTEE_INACTIVE = "grantee_inactive"
    GRANTEE_NOT_ELIGIBLE = "grantee_not_eligible"
    HR_REMIT_LIMITED = "hr_remit_limited"
    INVALID = "invalid"
    INVALID_DATE = "invalid_date"
    INVALID_KIND = "invalid_kind"
    INVALID_LANGUAGE = "invalid_language"
    INVALID_ROLE = "invalid_role"
    INVALID_URL = "invalid_url"
    LEAVE_ALREADY_SCHEDULED = "leave_already_scheduled"
    LEAVE_NOT_SCHEDULED = "leave_not_scheduled"
    NOT_EMPTY = "not_empty"
    NOT_FOUND = "not_found"
    NOTHING_CHANGES = "nothing_changes"
    ORG_CYCLE = "org_cycle"
    # Separation of duties (SEC-2): a privileged act on one's own record (callcenter.duties).
    OWN_RECORD = "own_record"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    PASSWORD_REUSED = "password_reused"
    PERMISSION_DENIED = "permission_denied"
    RETROACTIVE_POLICY = "retroactive_policy"
    ROLE_ADMIN_ONLY = "role_admin_only"
    ROLE_UNCHANGED = "role_unchanged"
    SELF_DEACTIVATION = "self_deactivation"  # shipped; now answered as OWN_RECORD (callcenter.duties)
    TEAM_DEPARTMENT_MISMATCH = "team_department_mismatch"
    TEAM_WITHOUT_SUPERVISOR = "team_without_supervisor"
    TOKEN_ALREADY_REVOKED = "token_already_revoked"
    TOKEN_INVALID = "token_invalid"
    TOKEN_LIFETIME = "token_lifetime"
    TOKEN_LIMIT_REACHED = "token_limit_reached"
    TOO_SMALL = "too_small"
    USER_INACTIVE = "user_inactive"
    USERNAME_TAKEN = "username_taken"
    WEAK_PASSWORD = "weak_password"


class ApplicationError(Exception):
    def __init__(
        self,
        message,
        *,
        code: ErrorCode = CoreErrorCode.INVALID,
        status: int = 400,
        extra: dict | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extra = extra or {}
        # The form field the refusal is about, when there is one: the pages show it there.
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class PermissionDeniedError(ApplicationError):
    def __init__(self, message, *, code: ErrorCode = CoreErrorCode.PERMISSION_DENIED):
        super().__init__(message, code=code, status=403)


class NotFoundError(ApplicationError):
    def __init__(self, message, *, code: ErrorCode = CoreErrorCode.NOT_FOUND):
        super().__init__(message, code=code, status=404)


def validation_message(exc: ValidationError) -> str:
    """A model's ``ValidationError`` as one readable line (``field: message; …``)."""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)
