"""The client IP recorded in audit events (SEC-3): behind ``TRUSTED_PROXY_COUNT`` reverse proxies
the address the outermost trusted proxy saw, never an entry the client wrote itself, and never a
500 for a malformed header."""

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse

from callcenter.request_context import request_client_ip
from datasecurity.models import AuditEvent

REMOTE = "172.18.0.2"  # the reverse proxy as gunicorn sees it


class _Request:
    def __init__(self, meta):
        self.META = meta


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxy trusted (the default): the header is the client's own text and is ignored.
        (0, "6.6.6.6", REMOTE),
        (0, "6.6.6.6, 10.0.0.9", REMOTE),
        # One proxy: it appended the address it saw; what the client sent before it is ignored.
        (1, "10.0.0.9", "10.0.0.9"),
        (1, "6.6.6.6, 10.0.0.9", "10.0.0.9"),
        (1, "6.6.6.6,10.0.0.9", "10.0.0.9"),
        (1, "2001:db8::7", "2001:db8::7"),
        # Two proxies: the outer one appended the client, the inner one the outer proxy.
        (2, "6.6.6.6, 10.0.0.9, 172.18.0.3", "10.0.0.9"),
        # Fewer entries than trusted proxies: the request did not come through them.
        (2, "10.0.0.9", REMOTE),
        # Malformed headers fall back to the peer address, never to the client's text.
        (1, "not-an-ip", REMOTE),
        (1, "10.0.0.9'; DROP TABLE x; --", REMOTE),
        (1, "", REMOTE),
        (1, ",,,", REMOTE),
        (1, "999.1.1.1", REMOTE),
        (1, "0.0.0.0", REMOTE),  # noqa: S104 - an unspecified address is no client
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = _Request({"REMOTE_ADDR": REMOTE, "HTTP_X_FORWARDED_FOR": forwarded})
    assert request_client_ip(request) == expected


def test_a_peer_address_that_is_no_ip_is_recorded_as_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert request_client_ip(_Request({"REMOTE_ADDR": "unix:/run/gunicorn.sock"})) is None
    assert request_client_ip(_Request({})) is None


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [("6.6.6.6, 10.0.0.9", "10.0.0.9"), ("<script>", "127.0.0.1"), ("6.6.6.6, garbage, 10.0.0.9", "10.0.0.9")],
)
def test_audited_write_records_the_proxied_client_and_never_fails(settings, org, forwarded, expected):
    # given one trusted proxy in front of the application
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="127.0.0.1")
    client.force_login(org.agent.user)
    # when the user makes an audited change through it with this X-Forwarded-For header
    response = client.post(
        reverse("callcenter:language_set"), {"language": "en", "next": "/"}, HTTP_X_FORWARDED_FOR=forwarded
    )
    # then the write succeeds and the event carries the address the proxy saw
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.language_set")
    assert event.ip == expected


def test_compose_passes_the_proxy_count_to_every_app_service():
    # given the production Compose file, with its reverse proxy in front of `web`
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))
    # then web, worker and beat get TRUSTED_PROXY_COUNT, one proxy unless the operator says otherwise
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
