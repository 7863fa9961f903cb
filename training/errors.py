"""The error codes of the training app: the ``code`` of every refusal its services raise.

Clients switch on these values (the messages are for people), so a shipped value is never renamed;
the OpenAPI schema lists them (``callcenter.rest.error_codes_schema_hook``).
"""

from callcenter.errors import ErrorCode

__all__ = ["TrainingErrorCode"]


class TrainingErrorCode(ErrorCode):
    ATTEMPT_CLOSED = "attempt_closed"
    ATTEMPT_LIMIT = "attempt_limit"
    ATTEMPT_NOT_FOUND = "attempt_not_found"
    ATTEMPT_OPEN = "attempt_open"
    ATTEMPT_TOO_LATE = "attempt_too_late"
    AUDIENCE_EMPTY = "audience_empty"
    COURSE_INACTIVE = "course_inactive"
    COURSE_NOT_FOUND = "course_not_found"
    COURSE_NOT_ONLINE = "course_not_online"
    INVALID_INPUT = "invalid_input"
    MATERIAL_EMPTY = "material_empty"
    MATERIAL_MISSING = "material_missing"
    MATERIAL_NOT_FOUND = "material_not_found"
    MATERIAL_TOO_LARGE = "material_too_large"
    MATERIAL_TYPE = "material_type"
    MATERIAL_TYPE_MISMATCH = "material_type_mismatch"
    NOT_ALLOWED = "not_allowed"
    OWN_RECORD = "own_record"
    QUESTION_BANK_SHORT = "question_bank_short"
    QUESTION_INVALID = "question_invalid"
    QUESTION_NOT_FOUND = "question_not_found"
    RECORD_NOT_FOUND = "record_not_found"
