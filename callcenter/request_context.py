"""Per-request context for code far from the request: the client IP (for the audit helper) and the
request id (for every log line, the 500 page and error reports).

Set by :class:`callcenter.middleware.AuditContextMiddleware` and
:class:`callcenter.middleware.RequestIdMiddleware` (and, for a Celery task, by
``callcenter.celery``); contextvars, so they are safe under threads and async.

The client IP (:func:`request_client_ip`): behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each
of which appends the address it received the request from to ``X-Forwarded-For``, the client is
the entry that many places from the right: whatever stands further left was written by the client
and is never believed. django-ipware parses the header (IPv4, IPv6, ports, RFC 7239 forms); a
malformed value, or fewer entries than trusted proxies (a request that did not come through them),
falls back to the peer address. With no trusted proxy (the default) the header is ignored.
"""

import contextvars
import ipaddress
import logging
from contextlib import contextmanager

from django.conf import settings
from ipware import get_client_ip

__all__ = [
    "RequestIdLogFilter",
    "client_ip_context",
    "current_client_ip",
    "current_request_id",
    "request_client_ip",
    "request_id_context",
    "request_id_reset",
    "request_id_set",
    "sentry_before_send",
]

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def client_ip_context(ip: str | None):
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)


def current_request_id() -> str | None:
    """The id of the request (or of the task) being handled; None outside of one."""
    return _request_id.get()


def request_id_set(request_id: str | None) -> contextvars.Token:
    return _request_id.set(request_id)


def request_id_reset(token: contextvars.Token) -> None:
    _request_id.reset(token)


@contextmanager
def request_id_context(request_id: str | None):
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request or task), so each log line
    names the request it belongs to. Attached to the handlers in ``settings.LOGGING``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or "-"
        return True


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Sentry's ``before_send``: tag the event with the request id (the one the user quotes from the
    500 page), and send no query string, body or cookies: they may hold personal data (SEC-3)."""
    request_id = _request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "data", "cookies"):
            request.pop(key, None)
    return event


def _valid_ip(value) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def request_client_ip(request) -> str | None:
    """The client's address for ``request`` (see the module's doc); None when there is none.

    Also django-axes' ``AXES_CLIENT_IP_CALLABLE``, so lockouts record the same address."""
    peer = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return peer
    # ipware counts the proxies named *in* the header: the innermost proxy is the peer itself.
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return _valid_ip(ip) if ip else peer
