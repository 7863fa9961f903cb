"""The error codes of the complaints app: the ``code`` of every refusal its services raise.

Clients switch on these values (the messages are for people), so a shipped value is never renamed;
the OpenAPI schema lists them (``callcenter.rest.error_codes_schema_hook``).
"""

from callcenter.errors import ErrorCode

__all__ = ["ComplaintErrorCode"]


class ComplaintErrorCode(ErrorCode):
    ALREADY_PAUSED = "already_paused"
    ALREADY_RESOLVED = "already_resolved"
    ATTACHMENT_EMPTY = "attachment_empty"
    ATTACHMENT_MISSING = "attachment_missing"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_TYPE = "attachment_type"
    ATTACHMENT_TYPE_MISMATCH = "attachment_type_mismatch"
    CAUSE_MISSING = "cause_missing"
    CHANNEL_INVALID = "channel_invalid"
    CLOSED = "closed"
    CONCERNED_INACTIVE = "concerned_inactive"
    CONCERNED_TOO_MANY = "concerned_too_many"
    CONTACT_MISSING = "contact_missing"
    DEADLINE_PAST = "deadline_past"
    EMAIL_INVALID = "email_invalid"
    EXPORT_FORMAT_INVALID = "export_format_invalid"
    FILTER_INVALID = "filter_invalid"
    INTEGRATION_TOKEN_INVALID = "integration_token_invalid"
    INVALID_NAME = "invalid_name"
    KIND_INVALID = "kind_invalid"
    NAME_TAKEN = "name_taken"
    NOT_PAUSED = "not_paused"
    NOT_RESOLVED = "not_resolved"
    OWNER_CONCERNED = "owner_concerned"
    OWNER_INVALID = "owner_invalid"
    PHONE_INVALID = "phone_invalid"
    PLAN_MISSING = "plan_missing"
    RECEIVED_IN_FUTURE = "received_in_future"
    RECEIVED_TOO_OLD = "received_too_old"
    REFERENCE_BUSY = "reference_busy"
    REQUIRED = "required"
    RESOLVED = "resolved"
    RESPONSIBLE_INVALID = "responsible_invalid"
    SATISFACTION_INVALID = "satisfaction_invalid"
    TOO_LONG = "too_long"
    URGENCY_INVALID = "urgency_invalid"
