"""The error codes of the data-security app: the ``code`` of every refusal its services raise.

Clients switch on these values (the messages are for people), so a shipped value is never renamed;
the OpenAPI schema lists them (``callcenter.rest.error_codes_schema_hook``).
"""

from callcenter.errors import ErrorCode

__all__ = ["DataSecurityErrorCode"]


class DataSecurityErrorCode(ErrorCode):
    INVALID_CATEGORY = "invalid_category"
    RETENTION_NOT_SET_UP = "retention_not_set_up"
    EXPORT_TOO_LARGE = "export_too_large"
    EXPORT_FORMAT = "export_format"
    EXPORT_OVER_CAP = "export_over_cap"
    EXPORT_NOT_READY = "export_not_ready"
    EXPORT_TAMPERED = "export_tampered"
    # Audit retention with archives (SEC-2): datasecurity/services/retention.py.
    RETENTION_ARCHIVE_FAILED = "retention_archive_failed"
    RETENTION_DELETE_REFUSED = "retention_delete_refused"
    ARCHIVE_UNAVAILABLE = "archive_unavailable"
    BACKUP_KEY_MISSING = "backup_key_missing"
    BACKUP_BUSY = "backup_busy"
    # security monitoring (SEC-3)
    INVALID_PERIOD = "invalid_period"
    ALERT_NOTE_REQUIRED = "alert_note_required"
    ALERT_NOT_OPEN = "alert_not_open"
    # Destruction of data no longer needed (SEC-4).
    RETENTION_DAYS_INVALID = "retention_days_invalid"
    DESTRUCTION_NOTHING_DUE = "destruction_nothing_due"
    DESTRUCTION_REASON_REQUIRED = "destruction_reason_required"
    DESTRUCTION_STATE = "destruction_state"
    DESTRUCTION_NOT_APPROVED = "destruction_not_approved"
    DESTRUCTION_OWN_REQUEST = "destruction_own_request"
    # two-factor login (SEC-2, SEC-3)
    TWOFA_CODE_INVALID = "twofa_code_invalid"
    TWOFA_THROTTLED = "twofa_throttled"
    TWOFA_NOT_ENROLLED = "twofa_not_enrolled"
    TWOFA_ALREADY_ENROLLED = "twofa_already_enrolled"
    TWOFA_REQUIRED = "twofa_required"
    TWOFA_ENROLMENT_REQUIRED = "twofa_enrolment_required"
    TWOFA_VERIFICATION_REQUIRED = "twofa_verification_required"
    TWOFA_SETUP_EXPIRED = "twofa_setup_expired"
