"""Complaint statistics (CMP-4): types, causes, distribution, trends, SLA, satisfaction, rate.

Everything is aggregated in the database over the complaints the user may see
(:func:`complaints.selectors.complaint_list`), never in a loop over rows: one pass for the totals,
channels, categories, months, SLA breaches, durations and satisfaction scores (conditional
aggregates over the known buckets), one ``GROUP BY`` each for causes, teams and agents (top
:data:`TOP`, names read for those rows only): 6–8 queries for the complaint team, leaders and HR,
11–13 for a department manager, whatever the number of complaints. A manager's visible ids are
read once (the visibility rule ORs across the concerned-agents join, which no index serves) and
the aggregates run over them. The date range is a half-open range on ``received_at`` (local
midnight to local midnight), at most :data:`complaints.rules.MAX_MONTHS` months.

Durations are calendar time from receipt (what the customer lived through), paused time
included; the SLA breaches use the due times, which already moved forward by the paused time.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, BooleanField, Count, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee, Team
from callcenter.providers import call_volumes_by_team
from callcenter.roles import Role, has_role
from complaints.models import Channel, Complaint, ComplaintCategory, ComplaintStatus, FollowUp
from complaints.rules import complaint_rate, day_start, month_start, scrub_contacts, statistics_filters
from complaints.selectors.complaints import ALL_COMPLAINTS_ROLES, complaint_list

# Who reads the statistics (CMP-4): the complaint team, the company leaders, HR and the
# department managers (who see their own area only: the selector's visibility rules).
STATS_ROLES = (Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER, Role.HR)

__all__ = [
    "STATS_ROLES",
    "TOP",
    "complaint_follow_ups_by_agent",
    "complaint_satisfaction_by_agent",
    "complaint_statistics",
    "complaint_top_causes",
]

TOP = 20  # rows of the cause / team / agent tables (the total is always the full count)
NO_CALL_VOLUMES = _("no call volumes imported for this period")
RATE_NOTE = _("complaints received per 1,000 calls answered (calls from the telephony metrics import)")
RATE_PARTIAL_NOTE = _(
    "complaints per 1,000 calls answered over the %(covered)s of %(months)s months with imported call volumes; "
    "rates per team need call volumes for every month of the range"
)


def _id_in(model, column: str, ids: list[int]):
    """``column IN ids`` as one array parameter on PostgreSQL (``= ANY(%s)``): thousands of ids as
    separate parameters cost more to build in Python than the query costs to run."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": ids})
    sql = f'"{model._meta.db_table}"."{column}" = ANY(%s)'  # constant identifiers, ids bound
    return ExpressionWrapper(RawSQL(sql, [ids]), output_field=BooleanField())  # noqa: S611


def _seconds(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # SQLite returns microseconds


def _hours(value) -> float | None:
    seconds = _seconds(value)
    return None if seconds is None else round(seconds / 3600, 1)


def complaint_statistics(*, user, filters: dict | None = None, now: datetime.datetime | None = None) -> dict:
    """The CMP-4 numbers for the complaints ``user`` may see, received in the filters' date range.

    Returns a dict of plain values (the page, the API and the exports read the same): ``total``,
    ``open``, ``closed``, ``urgent``, ``reopened``, ``escalated``; ``by_channel``,
    ``by_category``, ``by_cause``, ``by_team``, ``by_agent`` (lists of ``{key, label, count}``,
    the last three the top :data:`TOP`), ``by_month`` (``{month, count, closed, satisfaction}``
    for every month of the range, zeros included); ``avg_first_response_hours``,
    ``avg_resolution_hours``; ``first_response_late``, ``resolution_late``; ``satisfaction``
    (``average``, ``count``, ``distribution`` 1..5); ``complaint_rate_per_1000_calls`` (None
    until call volumes are imported) with ``complaint_rate_note``."""
    now = now or timezone.now()
    filters = statistics_filters(filters or {})
    date_from, date_to = filters["date_from"], filters["date_to"]
    selector_filters = {k: v for k, v in filters.items() if k in ("channel", "category", "team")}
    qs = (
        complaint_list(user=user, filters=selector_filters)
        .filter(
            received_at__gte=day_start(date_from),
            received_at__lt=day_start(date_to + datetime.timedelta(days=1)),
        )
        .order_by()
    )
    scoped_ids = None
    if not (user.is_superuser or has_role(user, *ALL_COMPLAINTS_ROLES)):
        # A scoped reader (a department manager): the visibility rule ORs conditions across the
        # concerned-agents join, which no index serves, so each aggregate below would scan and
        # join the whole table again. Read the visible ids once (one query), aggregate over them.
        scoped_ids = list(qs.values_list("pk", flat=True))
        qs = Complaint.objects.filter(_id_in(Complaint, "id", scoped_ids)).order_by()

    # 1. Totals, SLA and durations: one query, a fixed set of aggregates (no per-bucket ones).
    clock_end = Coalesce(F("closed_at"), Value(now))
    running = Q(paused_since__isnull=True)
    first_late = Q(first_responded_at__gt=F("first_response_due")) | (
        Q(first_responded_at__isnull=True, first_response_due__lt=clock_end) & running
    )
    resolution_late = Q(resolved_at__gt=F("resolution_due")) | (
        Q(resolved_at__isnull=True, resolution_due__lt=clock_end) & running
    )
    duration = DurationField()
    totals = qs.aggregate(
        total=Count("pk"),
        urgent=Count("pk", filter=Q(urgency="urgent")),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        first_response_late=Count("pk", filter=first_late),
        resolution_late=Count("pk", filter=resolution_late),
        responded=Count("pk", filter=Q(first_responded_at__isnull=False)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        avg_first_response=Avg(
            ExpressionWrapper(F("first_responded_at") - F("received_at"), output_field=duration),
            filter=Q(first_responded_at__isnull=False),
        ),
        avg_resolution=Avg(
            ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=duration),
            filter=Q(resolved_at__isnull=False),
        ),
    )
    # 1b. Channels, categories, months (local time), closed and satisfaction: one GROUP BY over
    #     the few combinations (months × channels × categories × closed × score: a few thousand
    #     rows at most), summed here. Counting every bucket with its own FILTER aggregate made
    #     PostgreSQL evaluate ~150 conditions per complaint.
    months = []
    month = month_start(date_from)
    while month <= date_to:
        months.append(month)
        month = month_start(month, -1)
    per_month = {m: {"count": 0, "closed": 0, "sat_sum": 0, "sat_n": 0} for m in months}
    per_channel = dict.fromkeys(Channel.values, 0)
    per_category: dict[int | None, int] = {}
    per_score = dict.fromkeys(range(1, 6), 0)
    closed_total = 0
    grouped = (
        qs.annotate(
            bucket=TruncMonth("received_at"),
            is_closed=ExpressionWrapper(Q(status=ComplaintStatus.CLOSED), output_field=BooleanField()),
        )
        .values_list("bucket", "channel", "category_id", "is_closed", "satisfaction")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for bucket, channel, category_id, is_closed, score, n in grouped:
        month_row = per_month.get(
            timezone.localtime(bucket).date() if isinstance(bucket, datetime.datetime) else bucket
        )
        if month_row is not None:
            month_row["count"] += n
            month_row["closed"] += n if is_closed else 0
            if score is not None:
                month_row["sat_sum"] += score * n
                month_row["sat_n"] += n
        per_channel[channel] = per_channel.get(channel, 0) + n
        per_category[category_id] = per_category.get(category_id, 0) + n
        closed_total += n if is_closed else 0
        if score is not None:
            per_score[score] = per_score.get(score, 0) + n
    satisfaction_count = sum(per_score.values())
    satisfaction_avg = (
        sum(score * n for score, n in per_score.items()) / satisfaction_count if satisfaction_count else None
    )

    # 2. By category (type): the known categories, most complaints first (ties in catalog order).
    categories = list(ComplaintCategory.objects.all())
    by_category = [{"key": c.code, "label": str(c), "count": per_category.get(c.pk, 0)} for c in categories]
    by_category.append({"key": "", "label": str(_("None")), "count": per_category.get(None, 0)})
    by_category = sorted((row for row in by_category if row["count"]), key=lambda row: -row["count"])
    # 3. By cause (free text; top TOP).
    by_cause = [
        {
            "key": scrub_contacts(row["cause"]),
            "label": scrub_contacts(row["cause"]) or str(_("(not given)")),
            "count": row["n"],
        }
        for row in qs.values("cause").annotate(n=Count("pk")).order_by("-n", "cause")[:TOP]
    ]
    # 4. By concerned team (top TOP): grouped on the id alone, the names of the top rows after.
    team_rows = list(qs.values("concerned_team_id").annotate(n=Count("pk")).order_by("-n", "concerned_team_id")[:TOP])
    team_names = dict(
        Team.objects.filter(pk__in=[r["concerned_team_id"] for r in team_rows if r["concerned_team_id"]]).values_list(
            "pk", "name"
        )
    )
    by_team = [
        {
            "key": row["concerned_team_id"],
            "label": team_names.get(row["concerned_team_id"]) or str(_("No team named")),
            "count": row["n"],
        }
        for row in team_rows
    ]
    # 5. By concerned agent (top TOP; a complaint may name several): the link table grouped on the
    #    employee id, the names of the top rows after.
    through = Complaint.concerned_employees.through
    if scoped_ids is None:
        links = through.objects.filter(complaint_id__in=qs.values("pk"))
    else:
        links = through.objects.filter(_id_in(through, "complaint_id", scoped_ids))
    agent_rows = list(links.values("employee_id").annotate(n=Count("pk")).order_by("-n", "employee_id")[:TOP])
    agents = {
        e["pk"]: e
        for e in Employee.objects.filter(pk__in=[r["employee_id"] for r in agent_rows]).values(
            "pk", "name", "employee_no"
        )
    }
    by_agent = [
        {
            "key": row["employee_id"],
            "label": f"{agents[row['employee_id']]['name']} ({agents[row['employee_id']]['employee_no']})",
            "count": row["n"],
        }
        for row in agent_rows
        if row["employee_id"] in agents
    ]
    # 6. CMP-4 complaint rate: complaints per 1,000 calls answered, from the telephony metrics
    #    (registered by the metrics import, see callcenter.call_volumes). With a team filter the
    #    calls are that team's; months (or teams) without imported calls have no rate, not zero.
    #    One query: calls per (month, team); the months' totals are their sums.
    team_month_calls = call_volumes_by_team(date_from=date_from, date_to=date_to)
    team_calls: dict[int, int] = {}
    calls_by_month: dict[datetime.date, int] = {}
    for (month, team_id), calls in team_month_calls.items():
        team_calls[team_id] = team_calls.get(team_id, 0) + calls
        if "team" not in filters or team_id == filters["team"]:
            calls_by_month[month] = calls_by_month.get(month, 0) + calls
    calls_total = sum(calls_by_month.values())
    # Only months with imported calls count on both sides of the rate: complaints of a month
    # without figures over calls of the others would overstate it. Team counts span the whole
    # range, so a team's rate needs every month covered.
    covered = [m for m in months if calls_by_month.get(m)]
    complaints_covered = sum(per_month[m]["count"] for m in covered)
    fully_covered = bool(covered) and len(covered) == len(months)
    for row in by_team:
        row["calls"] = team_calls.get(row["key"]) if row["key"] else None
        row["rate"] = complaint_rate(row["count"], row["calls"]) if fully_covered else None
    # 7. The monthly trend, every month of the range (zeros included).
    by_month = []
    for month in months:
        row = per_month[month]
        calls = calls_by_month.get(month)
        by_month.append(
            {
                "month": f"{month:%Y-%m}",
                "count": row["count"],
                "closed": row["closed"],
                "satisfaction": round(row["sat_sum"] / row["sat_n"], 2) if row["sat_n"] else None,
                "calls": calls,
                "rate": complaint_rate(row["count"], calls),
            }
        )

    return {
        "filters": filters,
        "total": totals["total"],
        "open": totals["total"] - closed_total,
        "closed": closed_total,
        "urgent": totals["urgent"],
        "reopened": totals["reopened"],
        "escalated": totals["escalated"],
        "by_channel": [
            {"key": value, "label": str(label), "count": per_channel.get(value, 0)} for value, label in Channel.choices
        ],
        "by_category": by_category,
        "by_cause": by_cause,
        "by_team": by_team,
        "by_agent": by_agent,
        "by_month": by_month,
        "responded": totals["responded"],
        "resolved": totals["resolved"],
        "avg_first_response_hours": _hours(totals["avg_first_response"]),
        "avg_resolution_hours": _hours(totals["avg_resolution"]),
        "first_response_late": totals["first_response_late"],
        "resolution_late": totals["resolution_late"],
        "satisfaction": {
            "average": None if satisfaction_avg is None else round(float(satisfaction_avg), 2),
            "count": satisfaction_count,
            "distribution": [{"score": s, "count": per_score.get(s, 0)} for s in range(1, 6)],
        },
        "calls": calls_total or None,
        "complaint_rate_per_1000_calls": complaint_rate(complaints_covered, calls_total),
        "complaint_rate_note": _rate_note(len(covered), len(months)),
    }


def _rate_note(covered: int, months: int) -> str:
    if not covered:
        return str(NO_CALL_VOLUMES)
    if covered < months:
        return str(RATE_PARTIAL_NOTE) % {"covered": covered, "months": months}
    return str(RATE_NOTE)


def complaint_satisfaction_by_agent(*, month: datetime.date) -> dict[int, float]:
    """{employee id: average follow-up satisfaction} for the appraisal month containing
    ``month`` (PRF-1 customer-satisfaction indicator): every follow-up visit made in that month
    (local time) on a complaint naming the agent as concerned counts once per agent, including a
    dissatisfied visit that reopened the complaint. Agents with no follow-up are absent (no
    score, rather than a zero). One query."""
    return {pk: round(float(avg), 2) for pk, (avg, _count) in complaint_follow_ups_by_agent(month=month).items()}


def complaint_follow_ups_by_agent(*, month: datetime.date) -> dict[int, tuple[Decimal, int]]:
    """{employee id: (average satisfaction, number of follow-up visits)} of the month containing
    ``month``: what the appraisal's customer-satisfaction indicator reads (PRF-1). One query."""
    start = month_start(month)
    end = month_start(month, -1)
    rows = (
        FollowUp.objects.filter(
            at__gte=day_start(start),
            at__lt=day_start(end),
            complaint__concerned_employees__isnull=False,
        )
        .values("complaint__concerned_employees")
        .annotate(avg=Avg("satisfaction"), visits=Count("id"))
        .order_by()
    )
    return {
        row["complaint__concerned_employees"]: (Decimal(str(row["avg"])).quantize(Decimal("0.01")), row["visits"])
        for row in rows
    }


def complaint_top_causes(*, date_from: datetime.date, date_to: datetime.date, limit: int = 5) -> list[dict]:
    """The most frequent complaint causes received from ``date_from`` to ``date_to`` (inclusive),
    for the training plan's needs panel (issue 16, TRN-1): ``[{"cause", "category", "count"}]``,
    most frequent first; complaints without a cause are left out. Counts only, no customer data
    (causes are scrubbed of contact details). One query."""
    rows = (
        Complaint.objects.filter(
            received_at__gte=day_start(date_from),
            received_at__lt=day_start(date_to + datetime.timedelta(days=1)),
        )
        .exclude(cause="")
        .values("cause", "category__name", "category__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "cause")[:limit]
    )
    english = not (translation.get_language() or "").startswith("zh")
    return [
        {
            "cause": scrub_contacts(row["cause"]),
            "category": (row["category__name_en"] if english and row["category__name_en"] else row["category__name"])
            or "",
            "count": row["n"],
        }
        for row in rows
    ]
