"""Provider hooks: what the core needs from the apps above it, registered by those apps.

Call volumes (calls answered) for modules that need a rate per call.

The telephony/ACD figures are imported by ``performance`` (PRF-1 metrics), but the complaint
statistics (CMP-4, complaints per 1,000 calls) must not import ``performance``: dependencies
point from ``performance`` to the other apps, never back. So the importer registers a provider
here, in the core app both depend on, and readers ask this module. Without a provider (or
without imported figures) the answer is "unknown", never zero.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class CallVolumeProvider:
    # (date_from, date_to) -> {first day of month: calls answered}
    by_month: Callable[..., dict[datetime.date, int]]
    # (date_from, date_to) -> {(first day of month, team id): calls answered}
    by_team: Callable[..., dict[tuple[datetime.date, int], int]]


_provider: CallVolumeProvider | None = None


def call_volume_provider_register(provider: CallVolumeProvider | None) -> None:
    """Called from the importing app's ``AppConfig.ready()`` (``None`` unregisters, for tests)."""
    global _provider
    _provider = provider


def call_volumes_by_month(*, date_from: datetime.date, date_to: datetime.date) -> dict[datetime.date, int]:
    """Calls answered per month in the range (months without figures are absent)."""
    if _provider is None:
        return {}
    return _provider.by_month(date_from=date_from, date_to=date_to)


def call_volumes_by_team(*, date_from: datetime.date, date_to: datetime.date) -> dict[tuple[datetime.date, int], int]:
    """Calls answered per (month, team) — the agent's current team; agents without a team are
    left out."""
    if _provider is None:
        return {}
    return {
        key: calls
        for key, calls in _provider.by_team(date_from=date_from, date_to=date_to).items()
        if key[1] is not None
    }


# --- Access grant targets -------------------------------------------------------------------------
# An access grant (``callcenter.models.AccessGrant``) names one object: a team, a department (the
# core's own) or a complaint case (``complaints``, an app above the core). Each kind's app
# registers how HR names the object on the grant page, how it is shown and which
# django-guardian permission a grant of it carries, so the core never imports the app.


@dataclass(frozen=True)
class GrantTarget:
    kind: str  # a ``callcenter.models.GrantKind`` value
    model: type[models.Model]
    permission: str  # "<app_label>.<codename>" of a permission on ``model``
    # What HR typed or picked (an id, a code, a reference) -> the object, or None.
    find: Callable[[str], models.Model | None]
    # The object -> how the grant list names it (kept after the object is deleted).
    label: Callable[[models.Model], str]
    # The URL name of the object's page (one ``pk`` argument), or "" for none.
    url_name: str = ""


_grant_targets: dict[str, GrantTarget] = {}


def grant_target_register(target: GrantTarget) -> None:
    """Called from the owning app's ``AppConfig.ready()`` (registering a kind again replaces it)."""
    _grant_targets[target.kind] = target


def grant_target(kind: str) -> GrantTarget | None:
    """The registered target of ``kind``, or None (its app is not installed)."""
    return _grant_targets.get(kind)


def grant_targets() -> list[GrantTarget]:
    return list(_grant_targets.values())


# --- Reporting line changed (transfers, issue 13) ---------------------------------------------------
# When a transfer changes an employee's team or department, their reporting line changes with it
# (``callcenter.selectors.approval_chain`` follows the team). Apps above the core that *store* an
# approver chosen from the old line (attendance's pending leave approval steps, LV-4) register a
# handler here to re-route their open items; the core calls the handlers inside the transaction
# that applies the transfer, after the employee's row is saved, and never imports those apps.


@dataclass(frozen=True)
class ReportingLineChange:
    employee_id: int
    effective_on: datetime.date
    # {"department" | "team": [before id, after id]} — only what changed
    changes: dict
    actor: object  # the user applying it, or None for the daily job


_reporting_line_handlers: dict[str, Callable[[ReportingLineChange], dict | None]] = {}


def reporting_line_handler_register(name: str, handler: Callable[[ReportingLineChange], dict | None]) -> None:
    """Called from an app's ``AppConfig.ready()``: ``handler(change)`` re-routes the app's open items
    and returns a summary for the audit event (or None). Registering ``name`` again replaces it."""
    _reporting_line_handlers[name] = handler


def reporting_line_changed(change: ReportingLineChange) -> dict:
    """Run every registered handler (inside the caller's transaction); {name: summary}."""
    summaries = {}
    for name, handler in sorted(_reporting_line_handlers.items()):
        summary = handler(change)
        if summary:
            summaries[name] = summary
    return summaries


# --- Dashboard cards ------------------------------------------------------------------------------
# The role dashboards show the real figures of the modules above the core (leave, appraisals,
# complaints): each app registers its cards in ``AppConfig.ready()`` and the core's dashboard
# selector calls them, so the core never imports the app. A card whose app is not installed, or
# whose loader has nothing to show, is simply absent: no "coming soon" placeholders.

# Where a card sits on the dashboard (issue 14, "dashboards are work queues"): the reader's own work
# (every employee: today's shift, leave, self-evaluation, requests in flight), what waits for their
# decision (approvers, evaluators), their team right now (supervisors: late or absent), HR's queue
# (cycle progress, bonus sheets, policies taking effect), the complaint team's workspace, the
# security auditor's alerts. Each card shows counts, each count links to the list of those items,
# and an empty queue says that nothing waits.
DASHBOARD_PLACES = ("mine", "decide", "team", "hr", "complaints", "audit")


@dataclass(frozen=True)
class DashboardCard:
    key: str
    place: str  # one of DASHBOARD_PLACES
    template: str  # the card's template, in the owning app; it reads ``card`` (the loader's dict)
    # (user=, me=) -> the card's context, or None when it has nothing to show this reader.
    # ``me`` is the reader's Employee or None. Bounded queries: the dashboard test counts them.
    load: Callable[..., dict | None]
    # Role values the card is for (any of them); empty: every reader.
    roles: tuple[str, ...] = ()
    needs_employee: bool = True  # shown only to a reader with an employee record
    order: int = 100


_dashboard_cards: dict[str, DashboardCard] = {}


def dashboard_card_register(*cards: DashboardCard) -> None:
    """Called from the owning app's ``AppConfig.ready()`` (registering a key again replaces it)."""
    for card in cards:
        if card.place not in DASHBOARD_PLACES:
            raise ValueError(f"Unknown dashboard place {card.place!r}")
        _dashboard_cards[card.key] = card


def dashboard_cards() -> list[DashboardCard]:
    """Every registered card, in ``order``."""
    return sorted(_dashboard_cards.values(), key=lambda c: (c.order, c.key))


# --- Hiring (GEN-1): what the apps above the core do for a new employee -------------------------
# Hiring lives in the core (``callcenter.services.hiring``); the roster (attendance), the code of
# conduct and induction training (their own apps) are above it. Each registers here, from its
# ``AppConfig.ready()``, and the core calls the registry without importing them.

# (*, actor, employees: list[Employee]) -> None; called inside the hiring transaction, once per
# hire (one employee) or per import (every new or rehired employee of the file), so a handler
# that fails rolls the hire back.
EmployeesHiredHook = Callable[..., None]

_employees_hired_hooks: dict[str, EmployeesHiredHook] = {}


def employee_hired_hook_register(key: str, hook: EmployeesHiredHook | None) -> None:
    """Called from the owning app's ``AppConfig.ready()`` (``None`` unregisters, for tests;
    registering ``key`` again replaces it)."""
    if hook is None:
        _employees_hired_hooks.pop(key, None)
    else:
        _employees_hired_hooks[key] = hook


def employees_hired(*, actor, employees: list) -> None:
    """Run every registered hook for the employees just hired or rehired."""
    if not employees:
        return
    for key in sorted(_employees_hired_hooks):
        _employees_hired_hooks[key](actor=actor, employees=employees)


@dataclass(frozen=True)
class OnboardingItem:
    """A mandatory item a module asks of every new employee (acknowledge the code of conduct,
    complete the induction training)."""

    key: str
    label: object  # lazily translated
    article: str  # the regulation's article code ("COC-1")
    # employee -> whether the employee has done it (None: the module cannot tell yet).
    done: Callable[..., bool | None]
    # URL name of the page where it is done (no arguments), or "" for none.
    url_name: str = ""


_onboarding_items: dict[str, OnboardingItem] = {}


def onboarding_item_register(item: OnboardingItem | None, *, key: str = "") -> None:
    """Called from the owning app's ``AppConfig.ready()`` (``None`` with ``key`` unregisters)."""
    if item is None:
        _onboarding_items.pop(key, None)
    else:
        _onboarding_items[item.key] = item


def onboarding_items() -> list[OnboardingItem]:
    """The registered mandatory items, by key (none until the modules that own them land)."""
    return [_onboarding_items[key] for key in sorted(_onboarding_items)]


# --- Leavers (GEN-2, COC-8) ------------------------------------------------------------------------
# The exit checklist (callcenter.services.leavers) asks the apps above the core two things it cannot
# know: which customer work the leaver still holds (complaints: the open complaints they own and
# the call-backs of the resolution plans they are responsible for, COC-8), handed over to a
# colleague; and whether the leaver's final attendance month is verified (attendance, ATT-5).


@dataclass(frozen=True)
class LeaverHandOverProvider:
    """Customer work of one app that a leaver must hand over (COC-8)."""

    key: str  # the app's label ("complaints")
    label: object  # what is handed over, lazily translated ("Open complaints and call-backs")
    # (employee_id) -> [{"reference": str, "what": str, "url_name": str, "pk": int}], the open items
    open_items: Callable[..., list[dict]]
    # (employee_id) -> the colleagues (Employees) who may take the items over
    colleague_choices: Callable[..., models.QuerySet]
    # (actor, employee_id, to_employee_id) -> how many items moved; the app's own service, audited
    reassign: Callable[..., int]


_hand_over_providers: dict[str, LeaverHandOverProvider] = {}


def leaver_hand_over_register(provider: LeaverHandOverProvider) -> None:
    """Called from the owning app's ``AppConfig.ready()`` (registering a key again replaces it)."""
    _hand_over_providers[provider.key] = provider


def leaver_hand_over_unregister(key: str) -> None:
    """For tests: the checklist without the app's hand-over."""
    _hand_over_providers.pop(key, None)


def leaver_hand_over_providers() -> list[LeaverHandOverProvider]:
    return list(_hand_over_providers.values())


def leaver_hand_over_provider(key: str) -> LeaverHandOverProvider | None:
    return _hand_over_providers.get(key)


@dataclass(frozen=True)
class FinalMonthProvider:
    """Whether the attendance month of ``day`` is verified for ``team_id`` (ATT-5)."""

    verified: Callable[..., bool]  # (team_id, day) -> bool


_final_month_provider: FinalMonthProvider | None = None


def final_month_provider_register(provider: FinalMonthProvider | None) -> None:
    """Called from attendance's ``AppConfig.ready()`` (``None`` unregisters, for tests)."""
    global _final_month_provider
    _final_month_provider = provider


def final_month_verified(*, team_id: int | None, day: datetime.date) -> bool | None:
    """True/False from attendance; None when no app verifies months (the supervisor's tick alone)."""
    if _final_month_provider is None:
        return None
    return _final_month_provider.verified(team_id=team_id, day=day)


# --- Global search (issue 14, "finding things") -----------------------------------------------------
# The search box of the menu bar asks every module: people (the core), complaints by number
# (complaints), leave requests by number or person (attendance). Each app registers a provider in
# ``AppConfig.ready()``; the provider filters through the app's own selectors, so each reader finds
# only what their remit shows them (SEC-2). No hit carries a customer's contact details.


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str  # a short second line (number, status, team); never contact details
    url: str


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: object  # the group's heading, lazily translated
    # (user=, query=, limit=) -> (up to ``limit`` + 1 hits, the module's list filtered by the
    # query or ""), or None when this reader has nothing to search here. Bounded queries.
    search: Callable[..., tuple[list[SearchHit], str] | None]
    order: int = 100


_search_providers: dict[str, SearchProvider] = {}


def search_provider_register(provider: SearchProvider | None, *, key: str = "") -> None:
    """Called from the owning app's ``AppConfig.ready()`` (``None`` with ``key`` unregisters, for
    tests; registering a key again replaces it)."""
    if provider is None:
        _search_providers.pop(key, None)
    else:
        _search_providers[provider.key] = provider


def search_providers() -> list[SearchProvider]:
    """Every registered provider, in ``order``."""
    return sorted(_search_providers.values(), key=lambda p: (p.order, p.key))


# --- Health checks (the admins' /ops/health/) -------------------------------------------------------
# The core checks the database and the broker itself; the apps above it add theirs (the backups of
# datasecurity, SEC-1) from ``AppConfig.ready()`` without the core importing them.


@dataclass(frozen=True)
class HealthCheck:
    key: str
    label: str | object  # a lazy translation
    # () -> {"ok": bool, "detail": str}; bounded queries, never raises for a failing component
    check: Callable[[], dict]
    order: int = 100


_health_checks: dict[str, HealthCheck] = {}


def health_check_register(*checks: HealthCheck) -> None:
    """Called from the owning app's ``AppConfig.ready()`` (registering a key again replaces it)."""
    for check in checks:
        _health_checks[check.key] = check


def health_checks_registered() -> list[HealthCheck]:
    return sorted(_health_checks.values(), key=lambda c: (c.order, c.key))


# --- Training needs (issue 16, TRN-1 and TRN-3; part "plan") ------------------------------------------
# The training plan's needs panel and its effect analysis read the appraisal's indicator values,
# which ``performance`` (above ``training``) keeps: ``performance`` registers a provider here and
# ``training`` asks this module. Other sources of needs (the conduct code of ``discipline``, not
# built yet) register a ``TrainingNeedSource``. Without a provider the answers are "unknown".


@dataclass(frozen=True)
class TrainingIndicatorProvider:
    # () -> [(indicator code, label)], the active indicators
    indicators: Callable[[], list[tuple[str, str]]]
    # (month_from=, month_to=) -> [{"team_id", "indicator_code", "average", "people"}], values in
    # percent of the indicator's scale, over the months' appraisals
    team_averages: Callable[..., list[dict]]
    # (indicator_code=, employee_ids=, months=) -> {(employee_id, first day of month): value in %}
    employee_values: Callable[..., dict]


_training_indicator_provider: TrainingIndicatorProvider | None = None


def training_indicator_provider_register(provider: TrainingIndicatorProvider | None) -> None:
    """Called from performance's ``AppConfig.ready()`` (``None`` unregisters, for tests)."""
    global _training_indicator_provider
    _training_indicator_provider = provider


def training_indicator_provider() -> TrainingIndicatorProvider | None:
    """The registered provider, or None (performance is not installed)."""
    return _training_indicator_provider


@dataclass(frozen=True)
class TrainingNeedSource:
    """Another module's training needs (a new version of the conduct code, …)."""

    key: str
    label: object  # lazily translated
    # (since=date) -> [{"title": str, "detail": str, "date": date}]; bounded queries
    needs: Callable[..., list[dict]]
    need_source: str = "other"  # a ``training.models.NeedSource`` value for the prefilled item


_training_need_sources: dict[str, TrainingNeedSource] = {}


def training_need_source_register(source: TrainingNeedSource | None, *, key: str = "") -> None:
    """Called from the owning app's ``AppConfig.ready()`` (``None`` with ``key`` unregisters)."""
    if source is None:
        _training_need_sources.pop(key, None)
    else:
        _training_need_sources[source.key] = source


def training_need_sources() -> list[TrainingNeedSource]:
    return [_training_need_sources[key] for key in sorted(_training_need_sources)]
