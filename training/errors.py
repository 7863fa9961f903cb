"""The error codes of the training app: the ``code`` of every refusal its services raise.

Clients switch on these values (the messages are for people), so a shipped value is never renamed;
the OpenAPI schema lists them (``callcenter.rest.error_codes_schema_hook``).
"""

from callcenter.errors import ErrorCode

__all__ = ["TrainingErrorCode"]


class TrainingErrorCode(ErrorCode):
    ALREADY_ANSWERED = "already_answered"
    ALREADY_ENROLLED = "already_enrolled"
    ATTEMPT_CLOSED = "attempt_closed"
    ATTEMPT_LIMIT = "attempt_limit"
    ATTEMPT_NOT_FOUND = "attempt_not_found"
    ATTEMPT_OPEN = "attempt_open"
    ATTEMPT_TOO_LATE = "attempt_too_late"
    AUDIENCE_EMPTY = "audience_empty"
    COURSE_CODE_TAKEN = "course_code_taken"
    COURSE_INACTIVE = "course_inactive"
    COURSE_NOT_FOUND = "course_not_found"
    # The annual plan and its effect (TRN-1, TRN-3; part "plan").
    EFFECT_SUBJECT_NOT_FOUND = "effect_subject_not_found"
    ENROLMENT_CLOSED = "enrolment_closed"
    ENROLMENT_NOT_FOUND = "enrolment_not_found"
    COURSE_NOT_ONLINE = "course_not_online"
    INVALID_INPUT = "invalid_input"
    MATERIAL_EMPTY = "material_empty"
    MATERIAL_MISSING = "material_missing"
    MATERIAL_NOT_FOUND = "material_not_found"
    MATERIAL_TOO_LARGE = "material_too_large"
    MATERIAL_TYPE = "material_type"
    MATERIAL_TYPE_MISMATCH = "material_type_mismatch"
    NOT_ALLOWED = "not_allowed"
    NOT_ATTENDED = "not_attended"
    OWN_RECORD = "own_record"
    PLAN_ALREADY_PUBLISHED = "plan_already_published"
    PLAN_ITEM_NOT_FOUND = "plan_item_not_found"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_REASON_REQUIRED = "plan_reason_required"
    PLAN_YEAR_TAKEN = "plan_year_taken"
    QUESTION_BANK_SHORT = "question_bank_short"
    QUESTION_INVALID = "question_invalid"
    QUESTION_NOT_FOUND = "question_not_found"
    RECORD_NOT_FOUND = "record_not_found"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_FULL = "session_full"
    SESSION_NOT_FOUND = "session_not_found"
    SESSION_NOT_STARTED = "session_not_started"
    TRAINER_INVALID = "trainer_invalid"
