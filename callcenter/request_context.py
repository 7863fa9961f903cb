"""Per-request context (client IP) for code far from the request, e.g. the audit helper.

Set by :class:`callcenter.middleware.AuditContextMiddleware`; a contextvar, so it is safe under
threads and async.
"""

import contextvars
from contextlib import contextmanager

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def current_client_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def client_ip_context(ip: str | None):
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)
