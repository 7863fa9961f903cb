"""Every request has an id: in the response's X-Request-ID, in each log line written while it is
handled, on the 500 page, and passed to the tasks it queues (callcenter.middleware.RequestIdMiddleware,
callcenter.request_context, callcenter.celery)."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from callcenter import selectors
from callcenter.celery import app as celery_app
from callcenter.request_context import RequestIdLogFilter, current_request_id, request_id_context

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """The records the console handler would write, with its request-id filter applied."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdLogFilter())
    root, access = logging.getLogger(), logging.getLogger("callcenter.requests")
    level = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)  # as in production
    yield records
    root.removeHandler(handler)
    access.setLevel(level)


@pytest.mark.django_db
def test_each_response_carries_a_new_request_id(client):
    # given two requests without an id
    first = client.get(reverse("callcenter:healthz"))
    second = client.get(reverse("callcenter:login"))
    # then each answer has its own id
    assert HEX_ID.fullmatch(first["X-Request-ID"]) and HEX_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
def test_an_upstream_request_id_is_taken_only_from_a_trusted_proxy_and_only_if_plain(settings):
    # given a proxy's request id
    upstream = {"HTTP_X_REQUEST_ID": "proxy-7f3a9c21-0001"}
    # when the header is not trusted (the default), then the app makes its own
    assert Client().get(reverse("callcenter:healthz"), **upstream)["X-Request-ID"] != "proxy-7f3a9c21-0001"
    # when it is trusted, then the proxy's id is kept, so both logs share it
    settings.REQUEST_ID_TRUST_HEADER = True
    assert Client().get(reverse("callcenter:healthz"), **upstream)["X-Request-ID"] == "proxy-7f3a9c21-0001"
    # but a value that is no plain token (log injection, a huge header) is replaced
    for bad in ("x\nfake log line", "a" * 500, "<script>", "short"):
        answered = Client().get(reverse("callcenter:healthz"), HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert HEX_ID.fullmatch(answered), bad


@pytest.mark.django_db
def test_every_line_logged_during_a_request_names_it(client, log_lines, monkeypatch):
    # given a view that logs
    def health_database():
        logging.getLogger("callcenter.tests").warning("checking the database")
        return {"ok": True, "detail": "test"}

    monkeypatch.setattr(selectors, "health_database", health_database)
    # when it is requested
    response = client.get(reverse("callcenter:healthz"), {"q": "张伟"})
    # then its line and the access line carry the request's id, and the access line says what was
    # asked and answered, without the query string (it may hold personal data)
    mine = [r for r in log_lines if r.request_id == response["X-Request-ID"]]
    assert [r.name for r in mine] == ["callcenter.tests", "callcenter.requests"]
    access = mine[-1]
    assert (access.method, access.path, access.status) == ("GET", "/healthz", 200)
    assert "张伟" not in access.getMessage() and isinstance(access.duration_ms, int)
    # and a line logged outside a request says so
    logging.getLogger("callcenter.tests").warning("no request")
    assert log_lines[-1].request_id == "-"


@pytest.mark.django_db
def test_the_500_page_shows_the_request_id_to_quote(monkeypatch, log_lines):
    # given a page that fails
    def health_database():
        raise RuntimeError("the database is on fire")

    monkeypatch.setattr(selectors, "health_database", health_database)
    # when it is requested
    response = Client(raise_request_exception=False).get(reverse("callcenter:healthz"))
    # then the 500 page shows the id the response and the logged error carry, and no internals
    request_id = response["X-Request-ID"]
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<code id="request-id" class="user-select-all text-break">{request_id}</code>' in html
    assert "on fire" not in html and "Traceback" not in html
    error = next(r for r in log_lines if r.name == "django.request")
    assert error.request_id == request_id and error.exc_info


def test_a_task_runs_with_the_id_of_the_request_that_queued_it_or_its_own(celery_eager):
    # given a task that reports the request id it runs with
    @celery_app.task(name="callcenter.tests.request_id_echo")
    def echo():
        return current_request_id()

    # when it runs inside a request, then it has the request's id
    with request_id_context("abc123def456"):
        assert echo.delay().get() == "abc123def456"
        assert current_request_id() == "abc123def456"  # and the request keeps it afterwards
    # when a worker runs a message that carries the id in its headers, then it is that id
    assert echo.apply(headers={"request_id": "fedcba987654"}).get() == "fedcba987654"
    # and a task queued by no request runs with its own task id
    result = echo.apply()
    assert result.get() == result.id
    assert current_request_id() is None
