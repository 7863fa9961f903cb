"""Indicators and per-post templates (PRF-1): the four groups, manual vs automatic scoring, the
default set (service and migration), and templates whose weights add up to exactly 100."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.tests.factories import PositionFactory
from datasecurity.models import AuditEvent
from performance import selectors, services
from performance.models import AppraisalTemplate, Indicator, TemplateIndicator
from performance.tests.factories import auto_indicator, manual_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def position(db):
    return PositionFactory(code="AGENT", name="话务员")


@pytest.fixture
def indicators(db):
    return [
        manual_indicator("t_initiative", group="attitude"),
        manual_indicator("t_cooperation", group="teamwork"),
        auto_indicator("t_calls", "calls_answered", target=1500),
        auto_indicator("t_satisfaction", "complaint_satisfaction", group="satisfaction"),
    ]


def items(pairs):
    return [{"indicator": i.pk, "weight": w} for i, w in pairs]


# --- Indicators -----------------------------------------------------------------------------------


def test_migration_installed_the_prf1_defaults_and_install_is_idempotent(org):
    """Given a migrated database, then the PRF-1 defaults exist in all four groups; when the
    install service runs (twice), then nothing more is created."""
    codes = {d["code"] for d in services.INDICATOR_DEFAULTS}
    installed = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    if len(installed) < len(codes):  # a transactional test flushed the migration's rows
        assert services.indicator_defaults_install(actor=org.hr.user) == len(codes) - len(installed)
        installed = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    assert set(installed) == codes
    assert {i.group for i in installed.values()} == {"results", "attitude", "teamwork", "satisfaction"}
    assert installed["calls_answered"].target == Decimal("1500")
    assert installed["initiative"].method == "manual" and installed["attendance"].method == "automatic"
    assert installed["complaint_satisfaction"].auto_source == "complaint_satisfaction"
    assert services.indicator_defaults_install(actor=org.hr.user) == 0
    assert services.indicator_defaults_install() == 0


def test_descriptions_are_shown_in_the_readers_language(org):
    """Given the defaults (migrated, or installed after a flush), then each has a Chinese and an
    English description; a reader sees the one of their language, Chinese when no English."""
    services.indicator_defaults_install()
    calls = Indicator.objects.get(code="calls_answered")
    assert "最高 100 分" in calls.description and " / " not in calls.description
    assert calls.description_en.startswith("Calls answered in the month")
    assert calls.display_description == calls.description_en  # the fixture reads English
    with translation.override("zh-hans"):
        assert calls.display_description == calls.description
    calls.description_en = ""
    assert calls.display_description == calls.description


def test_migration_0007_splits_the_combined_default_descriptions_only(org):
    """Given descriptions as migration 0002 wrote them ("中文 / English"), one HR rewrote in Chinese
    only, and a company indicator, when 0007's data step runs, then only the defaults in the old
    form are split; signs like ÷ × – stay in the English half."""
    migration = importlib.import_module("performance.migrations.0007_indicator_description_en")
    services.indicator_defaults_install()
    Indicator.objects.filter(code="calls_answered").update(
        description="当月接听量 ÷ 目标 × 100。 / Calls answered ÷ target × 100 (1–5).", description_en=""
    )
    Indicator.objects.filter(code="initiative").update(description="主动性：HR 的新说明 / 无英文", description_en="")
    company = manual_indicator("c_courtesy")
    Indicator.objects.filter(pk=company.pk).update(description="礼貌 / Courtesy")
    migration.split_default_descriptions(apps, None)
    calls = Indicator.objects.get(code="calls_answered")
    assert calls.description == "当月接听量 ÷ 目标 × 100。"
    assert calls.description_en == "Calls answered ÷ target × 100 (1–5)."
    initiative = Indicator.objects.get(code="initiative")
    assert (initiative.description, initiative.description_en) == ("主动性：HR 的新说明 / 无英文", "")
    assert Indicator.objects.get(pk=company.pk).description == "礼貌 / Courtesy"


def test_install_recreates_a_missing_default_and_keeps_hr_edits(org):
    """Given HR renamed one default and another is missing, when the defaults are installed, then
    the missing one comes back and the edit stays."""
    Indicator.objects.filter(code="participation").delete()
    Indicator.objects.filter(code="initiative").update(name="主动性（HR 改）")
    assert services.indicator_defaults_install(actor=org.hr.user) == 1
    assert Indicator.objects.get(code="initiative").name == "主动性（HR 改）"
    assert Indicator.objects.get(code="participation").group == "teamwork"


def test_create_manual_indicator_drops_source_and_target_and_is_audited(org):
    """Given HR creates a manual indicator with a stray source and target, then it has none,
    and an audit event records it."""
    indicator = services.indicator_create(
        actor=org.hr.user,
        code="courtesy",
        name="礼貌用语",
        name_en="Courtesy",
        group="attitude",
        method="manual",
        scale_max=10,
        auto_source="calls_answered",
        target="50",
    )
    assert (indicator.auto_source, indicator.target, indicator.scale_max) == ("", None, 10)
    assert AuditEvent.objects.filter(action="indicator.create", object_id=str(indicator.pk)).exists()


@pytest.mark.parametrize(
    "values,code",
    [
        ({"code": "Bad Code"}, "code_invalid"),
        ({"code": ""}, "code_invalid"),
        ({"name": " "}, "name_missing"),
        ({"group": "fun"}, "group_invalid"),
        ({"method": "magic"}, "method_invalid"),
        ({"method": "automatic", "auto_source": ""}, "auto_source_missing"),
        ({"method": "automatic", "auto_source": "calls_answered", "target": None}, "target_missing"),
        ({"method": "automatic", "auto_source": "qa_accuracy", "target": "0"}, "target_missing"),
        ({"method": "automatic", "auto_source": "qa_accuracy", "target": "98.555"}, "target_invalid"),
        ({"scale_max": 0}, "scale_invalid"),
        ({"scale_max": 1001}, "scale_invalid"),
    ],
)
def test_create_refuses_bad_input(org, values, code):
    """Given a bad field, when HR creates the indicator, then it is refused with a clear code."""
    data = {"code": "x_new", "name": "新指标", "group": "results", "method": "manual", **values}
    with pytest.raises(ApplicationError) as info:
        services.indicator_create(actor=org.hr.user, **data)
    assert info.value.code == code
    assert not Indicator.objects.filter(code="x_new").exists()


def test_code_is_unique_and_fixed(org, indicators):
    """Given an indicator, when HR creates another with its code, then it is refused; when HR
    updates it with a new code, then the code stays."""
    with pytest.raises(ApplicationError) as info:
        services.indicator_create(actor=org.hr.user, code="t_calls", name="x", group="results", method="manual")
    assert info.value.code == "code_taken"
    updated = services.indicator_update(actor=org.hr.user, indicator_id=indicators[0].pk, code="renamed", name="新名字")
    assert updated.code == "t_initiative" and updated.name == "新名字"


def test_automatic_without_target_for_attendance_is_fine(org):
    indicator = services.indicator_create(
        actor=org.hr.user, code="att2", name="出勤2", group="attitude", method="automatic", auto_source="attendance"
    )
    assert indicator.target is None


def test_deactivate_refused_while_in_an_active_template(org, position, indicators):
    """Given an indicator in the post's active template, when HR deactivates it, then it is
    refused naming the template; an unused one deactivates."""
    template = services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="话务员模板", items=items([(indicators[0], 100)])
    )
    with pytest.raises(ApplicationError) as info:
        services.indicator_deactivate(actor=org.hr.user, indicator_id=indicators[0].pk)
    assert info.value.code == "indicator_in_use" and template.name in str(info.value.message)
    assert services.indicator_deactivate(actor=org.hr.user, indicator_id=indicators[1].pk).active is False


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "handler", "auditor"])
def test_only_hr_sets_up(org, position, indicators, who):
    user = getattr(org, who).user
    with pytest.raises(PermissionDeniedError):
        services.indicator_create(actor=user, code="x1", name="x", group="results", method="manual")
    with pytest.raises(PermissionDeniedError):
        services.indicator_update(actor=user, indicator_id=indicators[0].pk, name="x")
    with pytest.raises(PermissionDeniedError):
        services.appraisal_template_create(
            actor=user, position_id=position.pk, name="x", items=items([(indicators[0], 100)])
        )


# --- Templates: weights sum to exactly 100 (PRF-1) ------------------------------------------------------


@pytest.mark.parametrize(
    "weights,ok",
    [
        (["100"], True),
        (["50", "50"], True),
        (["33.33", "33.33", "33.34"], True),
        (["99.99"], False),
        (["100", "0.01"], False),
        (["50", "49.99"], False),
        (["50", "50.01"], False),
        (["33.33", "33.33", "33.33"], False),
        ([Decimal("60"), Decimal("40.00")], True),
    ],
)
def test_weights_must_sum_to_exactly_100(org, position, indicators, weights, ok):
    """PRF-1 boundaries: 100 is accepted, 99.99 and 100.01 refused with the actual sum named."""
    pairs = list(zip(indicators, weights, strict=False))
    if ok:
        template = services.appraisal_template_create(
            actor=org.hr.user, position_id=position.pk, name="t", items=items(pairs)
        )
        assert sum(t.weight for t in template.items.all()) == Decimal("100")
    else:
        with pytest.raises(ApplicationError) as info:
            services.appraisal_template_create(actor=org.hr.user, position_id=position.pk, name="t", items=items(pairs))
        total = sum((Decimal(w) for w in weights), Decimal("0"))
        assert info.value.code == "weights_sum"
        assert f"add up to {total.normalize():f};" in str(info.value.message)
        assert "exactly 100" in str(info.value.message)
        assert not AppraisalTemplate.objects.exists()


@pytest.mark.parametrize(
    "build,code",
    [
        (lambda ind: [], "items_empty"),
        (
            lambda ind: [{"indicator": ind[0].pk, "weight": "50"}, {"indicator": ind[0].pk, "weight": "50"}],
            "indicator_duplicate",
        ),
        (lambda ind: [{"indicator": 999999, "weight": "100"}], "indicator_missing"),
        (lambda ind: [{"indicator": None, "weight": "100"}], "indicator_missing"),
        (lambda ind: [{"indicator": ind[0].pk, "weight": "abc"}], "weight_invalid"),
        (
            lambda ind: [{"indicator": ind[0].pk, "weight": "0"}, {"indicator": ind[1].pk, "weight": "100"}],
            "weight_invalid",
        ),
        (
            lambda ind: [{"indicator": ind[0].pk, "weight": "-10"}, {"indicator": ind[1].pk, "weight": "110"}],
            "weight_invalid",
        ),
        (
            lambda ind: [{"indicator": ind[0].pk, "weight": "99.995"}, {"indicator": ind[1].pk, "weight": "0.005"}],
            "weight_invalid",
        ),
        (lambda ind: [{"indicator": ind[0].pk, "weight": "NaN"}], "weight_invalid"),
    ],
    ids=["empty", "duplicate", "unknown", "none", "words", "zero", "negative", "three places", "nan"],
)
def test_template_items_are_checked(org, position, indicators, build, code):
    with pytest.raises(ApplicationError) as info:
        services.appraisal_template_create(
            actor=org.hr.user, position_id=position.pk, name="t", items=build(indicators)
        )
    assert info.value.code == code
    assert not AppraisalTemplate.objects.exists()


def test_inactive_indicator_refused(org, position, indicators):
    services.indicator_deactivate(actor=org.hr.user, indicator_id=indicators[1].pk)
    with pytest.raises(ApplicationError) as info:
        services.appraisal_template_create(
            actor=org.hr.user,
            position_id=position.pk,
            name="t",
            items=items([(indicators[0], 50), (indicators[1], 50)]),
        )
    assert info.value.code == "indicator_inactive"


def test_new_template_replaces_the_active_one(org, position, indicators):
    """Given an active template for the post, when HR creates another, then the old one is kept
    but inactive and exactly one is active; both are audited."""
    first = services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="v1", items=items([(indicators[0], 100)])
    )
    second = services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="v2", items=items([(indicators[0], 40), (indicators[2], 60)])
    )
    assert list(AppraisalTemplate.objects.filter(position=position, active=True)) == [second]
    first.refresh_from_db()
    assert first.active is False and first.items.count() == 1
    event = AuditEvent.objects.filter(action="appraisal_template.create", object_id=str(second.pk)).get()
    assert event.changes["replaced"] == [first.pk]


def test_update_replaces_items_atomically(org, position, indicators):
    """Given a template, when HR edits it, then its items are exactly the new ones (order kept);
    when an edit is refused (sum 99.99), then the old items stay untouched."""
    template = services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="v1", items=items([(indicators[0], 100)])
    )
    services.appraisal_template_update(
        actor=org.hr.user,
        template_id=template.pk,
        name="v1b",
        items=items([(indicators[3], "20"), (indicators[2], "30.5"), (indicators[1], "49.5")]),
    )
    rows = list(template.items.order_by("order").values_list("indicator__code", "weight"))
    assert rows == [("t_satisfaction", Decimal("20")), ("t_calls", Decimal("30.5")), ("t_cooperation", Decimal("49.5"))]
    with pytest.raises(ApplicationError):
        services.appraisal_template_update(
            actor=org.hr.user, template_id=template.pk, items=items([(indicators[0], "99.99")])
        )
    assert list(template.items.order_by("order").values_list("indicator__code", "weight")) == rows
    template.refresh_from_db()
    assert template.name == "v1b"
    assert AuditEvent.objects.filter(action="appraisal_template.update", object_id=str(template.pk)).count() == 1


def test_replaced_template_cannot_be_edited(org, position, indicators):
    old = services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="v1", items=items([(indicators[0], 100)])
    )
    services.appraisal_template_create(
        actor=org.hr.user, position_id=position.pk, name="v2", items=items([(indicators[1], 100)])
    )
    with pytest.raises(ApplicationError) as info:
        services.appraisal_template_update(actor=org.hr.user, template_id=old.pk, items=items([(indicators[2], 100)]))
    assert info.value.code == "template_inactive"


def test_summary_splits_weights_by_group(org, position, indicators):
    template = services.appraisal_template_create(
        actor=org.hr.user,
        position_id=position.pk,
        name="t",
        items=items([(indicators[0], "25"), (indicators[1], "15"), (indicators[2], "50"), (indicators[3], "10")]),
    )
    summary = selectors.template_summary(selectors.appraisal_template_get(pk=template.pk))
    assert summary.complete and summary.total == Decimal("100")
    assert [(g, w) for g, _label, w in summary.groups] == [
        ("results", Decimal("50")),
        ("attitude", Decimal("25")),
        ("teamwork", Decimal("15")),
        ("satisfaction", Decimal("10")),
    ]
    assert (summary.manual_weight, summary.automatic_weight) == (Decimal("40"), Decimal("60"))


def test_template_list_query_count(org, position, indicators, django_assert_max_num_queries):
    """Given 12 templates, when listed with items and summaries, then 3 queries."""
    for n in range(12):
        services.appraisal_template_create(
            actor=org.hr.user,
            position_id=PositionFactory(code=f"P{n}", name=f"岗位{n}").pk,
            name=f"t{n}",
            items=items([(indicators[0], 60), (indicators[2], 40)]),
        )
    with django_assert_max_num_queries(3):
        for template in selectors.appraisal_template_list():
            selectors.template_summary(template)
    assert TemplateIndicator.objects.count() == 24


def test_unknown_ids_are_not_found_or_refused(org, position, indicators):
    """The setup services take ids and load the rows themselves: an unknown indicator or template
    is "not found"; an unknown post is refused on its field; nothing is written."""
    with pytest.raises(NotFoundError):
        services.indicator_update(actor=org.hr.user, indicator_id=999999, name="x")
    with pytest.raises(NotFoundError):
        services.indicator_deactivate(actor=org.hr.user, indicator_id=999999)
    with pytest.raises(NotFoundError):
        services.appraisal_template_update(actor=org.hr.user, template_id=999999, items=items([(indicators[0], 100)]))
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_template_create(
            actor=org.hr.user, position_id=999999, name="x", items=items([(indicators[0], 100)])
        )
    assert exc.value.code == "position_missing" and exc.value.field == "position"
    assert not AppraisalTemplate.objects.exists()
