"""The one place that bounds inputs (``callcenter.inputs``), at its boundaries: dates and months
within 2000-01-01 .. 2099-12-31, ids from 1 to the bigint's largest, JSON 32 levels deep."""

import datetime
import io
import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation
from rest_framework import exceptions, serializers

from callcenter import inputs

D = datetime.date


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2000-01-01", D(2000, 1, 1)),
        ("2099-12-31", D(2099, 12, 31)),
        ("1999-12-31", None),
        ("2100-01-01", None),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("2026-02-30", None),
        ("abc", None),
        ("", None),
        (None, None),
        (D(2026, 5, 4), D(2026, 5, 4)),
    ],
)
def test_safe_date(value, expected):
    assert inputs.safe_date(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2000-01", D(2000, 1, 1)),
        ("2099-12", D(2099, 12, 1)),
        ("2026-05-17", D(2026, 5, 1)),
        ("1999-12", None),
        ("2100-01", None),
        ("9999-12", None),
        ("0001-01", None),
        ("00-00", None),
        ("2026-13", None),
        ("abc", None),
        ("", None),
    ],
)
def test_safe_month(value, expected):
    assert inputs.safe_month(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("1", 1),
        (" 42 ", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("abc", None),
        (None, None),
    ],
)
def test_safe_id(value, expected):
    assert inputs.safe_id(value) == expected


class _Form(forms.Form):
    day = inputs.DateField(required=False)
    moment = inputs.DateTimeField(required=False)
    month = inputs.MonthField(required=False)
    record = inputs.IdField(required=False)


@pytest.mark.parametrize(
    "data,field,ok",
    [
        ({"day": "2099-12-31"}, "day", True),
        ({"day": "2100-01-01"}, "day", False),
        ({"day": "1999-12-31"}, "day", False),
        ({"moment": "2099-12-31 23:59"}, "moment", True),
        ({"moment": "0001-01-01 00:00"}, "moment", False),
        ({"moment": "9999-12-31 23:59"}, "moment", False),
        ({"month": "2000-01"}, "month", True),
        ({"month": "9999-12"}, "month", False),
        ({"month": "00-00"}, "month", False),
        ({"record": str(2**63 - 1)}, "record", True),
        ({"record": "99999999999999999999"}, "record", False),
        ({"record": "0"}, "record", False),
    ],
)
def test_form_fields_refuse_out_of_range_with_a_message(data, field, ok):
    form = _Form(data)
    assert form.is_valid() == ok
    if not ok:
        assert form.errors[field][0]  # a translated message on the field, no exception


def test_form_messages_name_the_range():
    with translation.override("en"):
        form = _Form({"day": "9999-12-31", "month": "0001-01"})
        form.is_valid()
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    assert errors["day"] == ["Enter a date between 2000-01-01 and 2099-12-31."]
    assert errors["month"] == ["Enter a month between 2000-01 and 2099-12."]


class _Serializer(serializers.Serializer):
    day = inputs.ApiDateField(required=False)
    moment = inputs.ApiDateTimeField(required=False)
    month = inputs.ApiMonthField(required=False)
    record = inputs.ApiIdField(required=False)


@pytest.mark.parametrize(
    "data,ok",
    [
        ({"day": "2000-01-01"}, True),
        ({"day": "9999-12-31"}, False),
        ({"moment": "0001-01-01T00:00:00+08:00"}, False),
        ({"moment": "0001-01-01"}, False),
        ({"moment": "9999-12-31T23:59:59-12:00"}, False),
        ({"moment": "2026-05-04T08:00:00+08:00"}, True),
        ({"month": "2026-05"}, True),
        ({"month": "9999-12"}, False),
        ({"month": "abc"}, False),
        ({"record": 2**63 - 1}, True),
        ({"record": "99999999999999999999"}, False),
        ({"record": -1}, False),
    ],
)
def test_serializer_fields_answer_a_field_error(data, ok):
    serializer = _Serializer(data=data)
    assert serializer.is_valid() == ok
    if not ok:
        assert set(serializer.errors) == set(data)


def test_api_month_is_the_first_of_the_month():
    serializer = _Serializer(data={"month": "2026-05-17"})
    assert serializer.is_valid()
    assert serializer.validated_data["month"] == D(2026, 5, 1)


def _request(query: str):
    request = RequestFactory().get(f"/x/?{query}")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_query_month_falls_back_with_a_message():
    request = _request("month=9999-12")
    with translation.override("en"):
        assert inputs.query_month(request, D(2026, 5, 17)) == D(2026, 5, 1)
    [message] = list(get_messages(request))
    assert "between 2000-01 and 2099-12" in str(message) and "2026-05" in str(message)


def test_query_month_reads_a_good_month_and_says_nothing_when_none_is_given():
    request = _request("month=2026-03")
    assert inputs.query_month(request, D(2026, 5, 17)) == D(2026, 3, 1)
    assert inputs.query_month(_request(""), D(2026, 5, 17)) == D(2026, 5, 1)
    assert list(get_messages(request)) == []


def test_query_date_drops_an_unusable_date_with_a_message():
    request = _request("date_from=0001-01-01&date_to=2026-05-04")
    assert inputs.query_date(request, "date_from") is None
    assert inputs.query_date(request, "date_to") == D(2026, 5, 4)
    assert len(list(get_messages(request))) == 1


def _parse(body: str):
    return inputs.JSONParser().parse(io.BytesIO(body.encode()), "application/json", {})


def test_json_parser_takes_32_levels_and_refuses_33():
    assert _parse("[" * 32 + "]" * 32) is not None
    with pytest.raises(exceptions.ParseError):
        _parse("[" * 33 + "]" * 33)
    with pytest.raises(exceptions.ParseError):
        _parse(json.dumps({"a": [{"b": [[[]]]}]}).replace("[[[]]]", "[" * 40 + "]" * 40))


def test_json_parser_refuses_100000_levels_without_a_recursion_error():
    with pytest.raises(exceptions.ParseError):
        _parse("[" * 100_000)
