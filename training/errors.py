"""The error codes of the training app: the ``code`` of every refusal its services raise.

Clients switch on these values (the messages are for people), so a shipped value is never renamed;
the OpenAPI schema lists them (``callcenter.rest.error_codes_schema_hook``).
"""

from callcenter.errors import ErrorCode

__all__ = ["TrainingErrorCode"]


class TrainingErrorCode(ErrorCode):
    AUDIENCE_EMPTY = "audience_empty"
    COURSE_INACTIVE = "course_inactive"
    COURSE_NOT_FOUND = "course_not_found"
    INVALID_INPUT = "invalid_input"
    NOT_ALLOWED = "not_allowed"
    OWN_RECORD = "own_record"
    RECORD_NOT_FOUND = "record_not_found"
