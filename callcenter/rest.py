"""API plumbing every app uses: one paginated-list helper, errors as ``{detail, code}``, and the
error codes in the OpenAPI schema.

A list endpoint::

    @extend_schema(parameters=[FilterSerializer, *PAGE_PARAMETERS], responses=paginated_schema(OutputSerializer))
    def get(self, request):
        qs = selectors.punch_correction_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=OutputSerializer)

(HackSoft's ``get_paginated_response``): no view copies the paginator, and the schema describes
the envelope ``{count, next, previous, results}`` the client really gets.
"""

from __future__ import annotations

import functools
import re

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import ISO_8601, exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from callcenter.errors import ERROR_CODE_ENUMS, ApplicationError, CoreErrorCode

__all__ = [
    "PAGE_PARAMETERS",
    "AutoSchema",
    "IgnoreAcceptNegotiation",
    "Pagination",
    "error_codes_schema_hook",
    "exception_handler",
    "paginated_response",
    "paginated_schema",
]

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("page_size", int, description="Rows per page (default 50, at most 200)."),
]

# DRF's own refusals, answered with these codes by :func:`exception_handler` (listed in the schema).
DRF_ERROR_CODES = (
    "not_authenticated",
    "authentication_failed",
    "method_not_allowed",
    "not_acceptable",
    "unsupported_media_type",
    "parse_error",
    "throttled",
    "error",
)


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """For file downloads: answer with the file whatever ``Accept`` asks for (errors stay JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def paginated_response(*, request, view, queryset, serializer_class, context: dict | None = None) -> Response:
    """One page of ``queryset`` serialized with ``serializer_class``, in the paginated envelope."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **(context or {})}).data
    return paginator.get_paginated_response(data)


@functools.cache
def paginated_schema(serializer_class: type[serializers.BaseSerializer]) -> type[serializers.Serializer]:
    """The schema of :func:`paginated_response`'s body for ``serializer_class`` (one class each, so
    drf-spectacular names the component ``Paginated<Name>List``)."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
            "__module__": serializer_class.__module__,
            "paginated_envelope": True,
        },
    )


class AutoSchema(SpectacularAutoSchema):
    """A GET answering :func:`paginated_schema`'s envelope is a list: its operation is named
    ``…_list`` (drf-spectacular sees one object and would name it ``…_retrieve``). A date or time
    written in a format of its own (``TimeField(format="%H:%M")``) is described as that text, not
    as ISO's ``format: time``, which it is not."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        own_format = getattr(field, "format", None)
        temporal = (serializers.DateField, serializers.TimeField, serializers.DateTimeField)
        if isinstance(field, temporal) and isinstance(own_format, str) and own_format.lower() != ISO_8601:
            schema.pop("format", None)
            schema["description"] = " ".join(filter(None, [schema.get("description"), f"Format `{own_format}`."]))
        return schema

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        serializer = self.get_response_serializers()
        if isinstance(serializer, dict):
            serializer = serializer.get(200) or serializer.get("200")
        if self.method == "GET" and getattr(serializer, "paginated_envelope", False):
            return operation_id.removesuffix("_retrieve") + ("" if operation_id.endswith("_list") else "_list")
        return operation_id


def _authenticate_header(request) -> str | None:
    """The ``WWW-Authenticate`` challenge of the first of the view's authentication classes that
    has one (a token scheme: the session has none, and DRF only asks the first class)."""
    for authenticator in getattr(request, "authenticators", None) or ():
        header = authenticator.authenticate_header(request)
        if header:
            return header
    return None


def exception_handler(exc, context):
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # No or bad credentials: 401 with the challenge of a scheme the endpoint accepts (RFC 9110),
        # not the 403 DRF answers when the first authentication class is the session's.
        header = _authenticate_header(context.get("request"))
        if header:
            exc.status_code = status.HTTP_401_UNAUTHORIZED
            exc.auth_header = header
    if isinstance(exc, ApplicationError):
        body = {"detail": str(exc.message), "code": str(exc.code), **exc.extra}
        if exc.field and "errors" not in body:
            # A refusal about one input names it, like an invalid input does (a form shows it there).
            body["errors"] = {exc.field: [str(exc.message)]}
        return Response(body, status=exc.status)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": str(CoreErrorCode.INVALID), "errors": response.data}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["code"] = "throttled"
    return response


def _app_of(path: str) -> str:
    """``/api/v1/attendance/punches/`` -> ``attendance``; the core's own endpoints -> ``callcenter``."""
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    if segment == "audit":
        return "datasecurity"
    return segment if apps.is_installed(segment) else "callcenter"


def error_codes_schema_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook: an ``Error`` component per app whose ``code`` lists that
    app's declared codes (with the core's and DRF's), and every operation's 4xx answers pointing at
    its app's component (see :func:`_error_responses`), and the document valid. Clients can switch
    on ``code``; the messages are for people."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    core = [str(c) for c in CoreErrorCode] + list(DRF_ERROR_CODES)
    by_app: dict[str, list[str]] = {}
    for enum in ERROR_CODE_ENUMS:
        by_app.setdefault(enum.app_label(), []).extend(str(c) for c in enum)
    for path in result.get("paths", {}):
        by_app.setdefault(_app_of(path), [])
    for app, codes in by_app.items():
        name = f"{app.capitalize()}Error"
        components[name] = {
            "type": "object",
            "description": f"A refusal of the {app} API: `detail` is a translated message, `code` is stable.",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string", "enum": sorted(set(codes) | set(core))},
                "errors": {"type": "object", "description": "Per-field messages of an invalid input."},
            },
            "required": ["detail", "code"],
        }
    for path, operations in result.get("paths", {}).items():
        ref = {"$ref": f"#/components/schemas/{_app_of(path).capitalize()}Error"}
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _error_responses(operation, ref)
    _defaults_out_of_branches(result.get("components", {}).get("schemas", {}))
    if str(result.get("openapi", "")).startswith("3.1"):
        _binary_bodies_without_schema(result.get("paths", {}))
    return result


def _binary_bodies_without_schema(paths: dict) -> None:
    """OpenAPI 3.1 describes a file answered as the body (a PDF, a CSV) by its media type alone,
    with no schema: ``{"type": "string", "format": "binary"}`` there would claim a text string."""
    for operations in paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                for media in (response.get("content") or {}).values():
                    if media.get("schema") == {"type": "string", "format": "binary"}:
                        del media["schema"]


_REFUSED = "Refused: see `code`."
_ERROR_ANSWERS = {
    "400": _REFUSED,
    "403": _REFUSED,
    "404": _REFUSED,
    "409": "Conflict: the record is not in a state that allows this (already decided, locked, not ready).",
    "429": "Too many requests (`throttled`): wait and try again.",
}


def _error_responses(operation: dict, ref: dict) -> None:
    """The 4xx answers every operation may give, each with the app's ``Error`` body: 400, 403, 404
    and 429 everywhere; 401 (with its ``WWW-Authenticate`` challenge) where authentication is
    required; 409 wherever a record's state can refuse (every operation but a list). An answer an
    endpoint declares itself (413 of a push, a description of its own) keeps it, and gets the body
    if it has none."""
    responses = operation["responses"]
    answers = dict(_ERROR_ANSWERS)
    if operation.get("operationId", "").endswith("_list"):
        del answers["409"]
    for code, description in answers.items():
        responses.setdefault(code, {"description": description})
    if {} not in operation.get("security", [{}]):
        responses.setdefault(
            "401",
            {
                "description": "Not authenticated (`not_authenticated`) or bad credentials (`authentication_failed`).",
                "headers": {
                    "WWW-Authenticate": {
                        "description": "The scheme to authenticate with, e.g. `Token`.",
                        "schema": {"type": "string"},
                    }
                },
            },
        )
    for code, response in responses.items():
        if str(code).startswith("4") and not response.get("content"):
            response["content"] = {"application/json": {"schema": ref}}
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))


def _defaults_out_of_branches(node) -> None:
    """A field that may be blank or match a pattern is ``oneOf: [{pattern, default: ""}, {maxLength:
    0}]``; its default fails its own branch's pattern, which makes the document invalid. Move such a
    default up to the property, where the ``oneOf`` as a whole accepts it."""
    if isinstance(node, dict):
        for branch in node.get("oneOf", []):
            pattern, default = branch.get("pattern"), branch.get("default")
            if isinstance(default, str) and pattern and not re.search(pattern, default):
                node.setdefault("default", branch.pop("default"))
        for value in node.values():
            _defaults_out_of_branches(value)
    elif isinstance(node, list):
        for value in node:
            _defaults_out_of_branches(value)
