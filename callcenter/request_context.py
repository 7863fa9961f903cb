"""Per-request context (client IP) for code far from the request, e.g. the audit helper.

Set by :class:`callcenter.middleware.AuditContextMiddleware`; a contextvar, so it is safe under
threads and async.

The client IP (:func:`request_client_ip`): behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each
of which appends the address it received the request from to ``X-Forwarded-For``, the client is
the entry that many places from the right: whatever stands further left was written by the client
and is never believed. django-ipware parses the header (IPv4, IPv6, ports, RFC 7239 forms); a
malformed value, or fewer entries than trusted proxies (a request that did not come through them),
falls back to the peer address. With no trusted proxy (the default) the header is ignored.
"""

import contextvars
import ipaddress
from contextlib import contextmanager

from django.conf import settings
from ipware import get_client_ip

__all__ = ["client_ip_context", "current_client_ip", "request_client_ip"]

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
