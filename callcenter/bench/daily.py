"""The daily-use suite (issue 14): each role's dashboard (its work queues, every app's cards) and
the global search, through the whole stack (middleware, session, menus, context processors,
template), as the browser asks them.

``manage.py bench daily`` on the demo call center (``seed_demo``, or the population the other
suites left): the dashboard of every demo login, then the search page and its API for the kinds
of query people type (pinyin initials, a name's first characters, an employee number, a complaint number
prefix), as HR, a supervisor and an agent (each within their remit). Bars: a dashboard's p95 ≤
300 ms, a search's p95 ≤ 150 ms; the query counts are the pages' (they do not grow with the data:
tests/test_dashboard_queues.py and tests/test_search.py assert it). Figures in docs/benchmarks.md.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from callcenter.bench import BenchContext, BenchRow, percentile_row, register_bench_suite, timed
from callcenter.models import Employee

__all__ = ["daily_suite"]

DASHBOARD_BAR = (300.0, 40)
SEARCH_BAR = (150.0, 20)
SEARCH_READERS = ("hr", "supervisor", "agent")


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _get(client: Client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} {params or ''} answered {response.status_code}")
    return response


def _queries_to_type() -> list[tuple[str, str]]:
    """(what, text) people type: drawn from the database, so each finds something."""
    someone = Employee.objects.exclude(name_initials="").order_by("pk").first()
    if someone is None:
        return []
    return [
        ("pinyin initials", someone.name_initials[:2]),
        ("name", someone.name[:2]),
        ("employee number", someone.employee_no[:4]),
        ("complaint number prefix", "TS"),
    ]


@register_bench_suite("daily")
def daily_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    dashboard = reverse("callcenter:dashboard")
    for username, user in ctx.users.items():
        client = _client(user)
        timings, queries, response = timed(lambda _, c=client: _get(c, dashboard), repeat=ctx.repeat)
        rows.append(
            percentile_row(
                f"dashboard page GET {dashboard}, {username}",
                f"{len(response.content) / 1024:,.0f} KiB",
                timings,
                queries,
                bar=DASHBOARD_BAR,
            )
        )
    page, api = reverse("callcenter:search"), reverse("api:callcenter:search")
    kinds = _queries_to_type()
    initials = kinds[0][1] if kinds else ""
    for username in SEARCH_READERS:
        user = ctx.users.get(username)
        if user is None:
            continue
        client = _client(user)
        for what, text in kinds:
            timings, queries, response = timed(lambda _, c=client, q=text: _get(c, page, {"q": q}), repeat=ctx.repeat)
            rows.append(
                percentile_row(
                    f"search page GET {page}?q=…, {username}: {what}",
                    f"q={text!r}, {len(response.content) / 1024:,.0f} KiB",
                    timings,
                    queries,
                    bar=SEARCH_BAR,
                )
            )
        if not initials:
            continue
        timings, queries, response = timed(lambda _, c=client: _get(c, api, {"q": initials}), repeat=ctx.repeat)
        rows.append(
            percentile_row(
                f"search API GET {api}?q=…, {username}",
                f"q={initials!r}, {len(response.content) / 1024:,.1f} KiB",
                timings,
                queries,
                bar=SEARCH_BAR,
            )
        )
    return rows
