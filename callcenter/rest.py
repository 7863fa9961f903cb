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

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
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
    ``…_list`` (drf-spectacular sees one object and would name it ``…_retrieve``)."""

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        serializer = self.get_response_serializers()
        if isinstance(serializer, dict):
            serializer = serializer.get(200) or serializer.get("200")
        if self.method == "GET" and getattr(serializer, "paginated_envelope", False):
            return operation_id.removesuffix("_retrieve") + ("" if operation_id.endswith("_list") else "_list")
        return operation_id


def exception_handler(exc, context):
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
    its app's component. Clients can switch on ``code``; the messages are for people."""
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
            responses = operation["responses"]
            for code in ("400", "403", "404"):
                responses.setdefault(
                    code, {"description": "Refused: see `code`.", "content": {"application/json": {"schema": ref}}}
                )
    return result
