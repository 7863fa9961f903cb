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
    # The annual plan and its effect (TRN-1, TRN-3; part "plan").
    EFFECT_SUBJECT_NOT_FOUND = "effect_subject_not_found"
    INVALID_INPUT = "invalid_input"
    NOT_ALLOWED = "not_allowed"
    OWN_RECORD = "own_record"
    PLAN_ALREADY_PUBLISHED = "plan_already_published"
    PLAN_ITEM_NOT_FOUND = "plan_item_not_found"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_REASON_REQUIRED = "plan_reason_required"
    PLAN_YEAR_TAKEN = "plan_year_taken"
    RECORD_NOT_FOUND = "record_not_found"
