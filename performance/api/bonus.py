"""Bonus sheet API (PRF-4), mounted at /api/v1/performance/. One class per action, plain serializers.

HR and company leaders read sheets, lines and exports and request exports; only HR prepares,
recomputes, adjusts, approves and corrects (403 for everyone else). Refused transitions are 409
with ``{detail, code}`` (``sheet_locked``, ``already_approved``, ``cycle_not_locked``,
``correct_draft``, ``sheet_exists``, ``no_cycle`` ...). Inputs name exactly the fields the caller
may set: a month, a reason, an adjustment, a file format.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import path, reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import private_file_response
from callcenter.inputs import ApiIdField, ApiMonthField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from performance import rules, selectors, services
from performance.models import BonusSheetStatus, FileFormat, FileStatus, ScoreBand

READERS = HasRole(*selectors.BONUS_READ_ROLES)
HR = HasRole(*services.BONUS_WRITE_ROLES)


# --- Serializers ----------------------------------------------------------------------------------------


class PrepareInputSerializer(serializers.Serializer):
    month = ApiMonthField(help_text="YYYY-MM (or any date of the month)")


class ApproveInputSerializer(serializers.Serializer):
    negative_acknowledged = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the approver has seen the lines with a negative payable amount (PRF-4); "
        "needed when there are any (400 negative_lines_unacknowledged otherwise)",
    )


class CorrectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AdjustInputSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=["reward", "penalty"], help_text="reward (RWD-2) or penalty (PEN-1)")
    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))


class ExportInputSerializer(serializers.Serializer):
    file_format = serializers.ChoiceField(choices=FileFormat.choices)


class SheetFilterSerializer(serializers.Serializer):
    month = ApiMonthField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.ChoiceField(choices=BonusSheetStatus.choices, required=False)


class LineFilterSerializer(serializers.Serializer):
    department = ApiIdField(required=False)
    band = serializers.ChoiceField(choices=ScoreBand.choices, required=False)
    q = serializers.CharField(required=False, max_length=50)


def _person(user) -> str | None:
    if user is None:
        return None
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else user.get_username()


class SheetOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.DateField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    cycle_status = serializers.CharField(source="cycle.status")
    employees = serializers.IntegerField()
    total_base = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    prepared_by = serializers.SerializerMethodField()
    prepared_at = serializers.DateTimeField()
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.DateTimeField(allow_null=True)
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    correction_reason = serializers.CharField()

    def get_prepared_by(self, sheet) -> str | None:
        return _person(sheet.prepared_by)

    def get_approved_by(self, sheet) -> str | None:
        return _person(sheet.approved_by)


class TotalsOutputSerializer(serializers.Serializer):
    department_id = serializers.IntegerField(allow_null=True)
    department_name = serializers.CharField()
    employees = serializers.IntegerField()
    bonus_base = serializers.DecimalField(max_digits=14, decimal_places=2)
    performance_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    attendance_fines = serializers.DecimalField(max_digits=14, decimal_places=2)
    absenteeism_deduction = serializers.DecimalField(max_digits=14, decimal_places=2)
    rewards = serializers.DecimalField(max_digits=14, decimal_places=2)
    penalties = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class VersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class SheetDetailOutputSerializer(SheetOutputSerializer):
    changed_by = serializers.ListField(
        child=serializers.CharField(),
        help_text="Who prepared or changed this version (none of them approves it, SEC-2).",
    )
    policy_snapshot = serializers.DictField()
    departments = TotalsOutputSerializer(many=True)
    overall = TotalsOutputSerializer()
    versions = VersionOutputSerializer(many=True)


class ExplanationOutputSerializer(serializers.Serializer):
    rule = serializers.CharField()
    article = serializers.CharField()
    text = serializers.CharField()


class LineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    employee_name = serializers.CharField()
    department_id = serializers.IntegerField()
    department_name = serializers.CharField()
    team_name = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    band = serializers.CharField()
    coefficient = serializers.DecimalField(max_digits=4, decimal_places=2)
    bonus_base = serializers.DecimalField(max_digits=10, decimal_places=2)
    performance_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    attendance_fines = serializers.DecimalField(max_digits=10, decimal_places=2)
    absenteeism_deduction = serializers.DecimalField(max_digits=10, decimal_places=2)
    rewards = serializers.DecimalField(max_digits=10, decimal_places=2)
    penalties = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    explanation = serializers.SerializerMethodField()

    def get_explanation(self, line) -> list[dict]:
        return ExplanationOutputSerializer(
            [
                {"rule": e.get("rule", ""), "article": e.get("article", ""), "text": rules.explain(e)}
                for e in line.explanation
            ],
            many=True,
        ).data


class FileOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sheet = serializers.IntegerField(source="sheet_id")
    file_format = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    error = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, file) -> str | None:
        if file.status != FileStatus.DONE:
            return None
        return reverse("api:performance:bonus_file_download", args=[file.pk])


def _detail_data(user, sheet) -> dict:
    departments, overall = selectors.bonus_sheet_department_totals(sheet=sheet)
    sheet.departments = [d.as_dict() for d in departments]
    sheet.overall = overall.as_dict()
    sheet.versions = selectors.bonus_sheet_versions(sheet=sheet)
    sheet.changed_by = selectors.bonus_sheet_approval(user=user, sheet=sheet).changers
    return SheetDetailOutputSerializer(sheet).data


def _detail(user, pk: int) -> dict:
    """The sheet after a write (the write is audited)."""
    return _detail_data(user, selectors.bonus_sheet_get(user=user, pk=pk))


# --- Views ------------------------------------------------------------------------------------------------------


class BonusSheetListApi(APIView):
    permission_classes = [READERS]

    @extend_schema(
        parameters=[SheetFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(SheetOutputSerializer),
        summary="Bonus sheets, every version, newest month first (PRF-4; HR and company leaders)",
    )
    def get(self, request):
        filters = SheetFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        sheets = selectors.bonus_sheet_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=sheets, serializer_class=SheetOutputSerializer)


class BonusSheetPrepareApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        request=PrepareInputSerializer,
        responses={201: SheetDetailOutputSerializer},
        summary="Prepare the month's bonus sheet as a draft from its appraisal cycle (PRF-4); 409 if one exists",
    )
    def post(self, request):
        serializer = PrepareInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sheet = services.bonus_sheet_prepare(actor=request.user, month=serializer.validated_data["month"])
        return Response(_detail(request.user, sheet.pk), status=status.HTTP_201_CREATED)


class BonusSheetDetailApi(APIView):
    permission_classes = [READERS]

    @extend_schema(
        responses=SheetDetailOutputSerializer,
        summary=(
            "One bonus sheet version with totals per department and overall, the month's versions and who "
            "changed it; every read audited (SEC-2)"
        ),
    )
    def get(self, request, pk: int):
        data = services.bonus_sheet_read(
            actor=request.user,
            sheet_id=pk,
            via="api",
            shows="totals",
            read=lambda sheet, _lines: _detail_data(request.user, sheet),
        )
        return Response(data)


class BonusSheetLinesApi(APIView):
    permission_classes = [READERS]

    @extend_schema(
        parameters=[LineFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(LineOutputSerializer),
        summary=(
            "The lines of a bonus sheet with their explanation (PRF-4, ATT-4, ATT-5, RWD-2, PEN-1); "
            "every read audited (SEC-2)"
        ),
    )
    def get(self, request, pk: int):
        filters = LineFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return services.bonus_sheet_read(
            actor=request.user,
            sheet_id=pk,
            via="api",
            shows="lines",
            page=request.query_params.get("page"),
            read=lambda _sheet, lines: paginated_response(
                request=request,
                view=self,
                queryset=lines(filters.validated_data),
                serializer_class=LineOutputSerializer,
            ),
        )


class BonusSheetRecomputeApi(APIView):
    permission_classes = [HR]

    @extend_schema(request=None, responses=SheetDetailOutputSerializer, summary="Recompute a draft; 409 if approved")
    def post(self, request, pk: int):
        services.bonus_sheet_recompute(actor=request.user, sheet_id=pk)
        return Response(_detail(request.user, pk))


class BonusSheetApproveApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        request=ApproveInputSerializer,
        responses=SheetDetailOutputSerializer,
        summary="Approve and lock a draft (PRF-4); 409 when already approved or the cycle is not locked; 400 "
        "when lines with a negative payable amount are not acknowledged",
    )
    def post(self, request, pk: int):
        serializer = ApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.bonus_sheet_approve(
            actor=request.user, sheet_id=pk, negative_acknowledged=serializer.validated_data["negative_acknowledged"]
        )
        return Response(_detail(request.user, pk))


class BonusSheetCorrectApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        request=CorrectInputSerializer,
        responses={201: SheetDetailOutputSerializer},
        summary="Correct an approved sheet: it is kept as superseded and a new draft version is made (409 on a draft)",
    )
    def post(self, request, pk: int):
        serializer = CorrectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.bonus_sheet_correct(actor=request.user, sheet_id=pk, reason=serializer.validated_data["reason"])
        return Response(_detail(request.user, new.pk), status=status.HTTP_201_CREATED)


class BonusSheetAdjustApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        request=AdjustInputSerializer,
        responses=LineOutputSerializer,
        summary="Add a reward (RWD-2) or a fine (PEN-1) to an employee's line of a draft",
    )
    def post(self, request, pk: int):
        serializer = AdjustInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = services.bonus_line_adjust(
            actor=request.user,
            sheet_id=pk,
            employee_no=data["employee_no"],
            kind=data["kind"],
            title=data["title"],
            amount=data["amount"],
        )
        return Response(LineOutputSerializer(line).data)


class BonusAdjustmentRemoveApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        request=None,
        responses=LineOutputSerializer,
        summary="Remove one reward or fine of a draft line (position among the line's adjustments, from 0)",
    )
    def delete(self, request, pk: int, line_pk: int, position: int):
        line = services.bonus_line_adjustment_remove(
            actor=request.user, line_id=line_pk, sheet_id=pk, position=position
        )
        return Response(LineOutputSerializer(line).data)


class BonusSheetExportsApi(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=FileOutputSerializer(many=True), summary="The exports of a sheet (latest 20)")
    def get(self, request, pk: int):
        sheet = selectors.bonus_sheet_get(user=request.user, pk=pk)
        return Response(
            FileOutputSerializer(selectors.bonus_sheet_file_list(user=request.user, sheet=sheet), many=True).data
        )

    @extend_schema(
        request=ExportInputSerializer,
        responses={202: FileOutputSerializer},
        summary="Request a PDF, XLSX or CSV export in the caller's language; poll its status, then download",
    )
    def post(self, request, pk: int):
        serializer = ExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        file = services.bonus_sheet_file_request(
            actor=request.user,
            sheet_id=pk,
            file_format=serializer.validated_data["file_format"],
            language=get_language(),
        )
        # The render may already have run (eager mode, a fast worker): answer with the row as it is now.
        file = selectors.bonus_sheet_file_get(user=request.user, pk=file.pk)
        return Response(FileOutputSerializer(file).data, status=status.HTTP_202_ACCEPTED)


class BonusFileStatusApi(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=FileOutputSerializer, summary="An export's status and progress (0..100)")
    def get(self, request, pk: int):
        return Response(FileOutputSerializer(selectors.bonus_sheet_file_get(user=request.user, pk=pk)).data)


class BonusFileDownloadApi(APIView):
    permission_classes = [READERS]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        # PDF, XLSX or CSV, as the export was requested.
        responses={(200, media.split(";")[0]): OpenApiTypes.BINARY for media in services.FILE_CONTENT_TYPES.values()},
        summary="Download a finished export (HR and company leaders); checksum verified (409 if changed), audited",
    )
    def get(self, request, pk: int):
        file, handle = services.bonus_sheet_file_open(actor=request.user, file_id=pk)
        filename = f"bonus-sheet-{file.sheet.month:%Y-%m}-v{file.sheet.version}.{file.file_format}"
        return private_file_response(
            handle, filename=filename, content_type=services.FILE_CONTENT_TYPES[file.file_format]
        )


urlpatterns = [
    path("bonus-sheets/", BonusSheetListApi.as_view(), name="bonus_sheet_list"),
    path("bonus-sheets/prepare/", BonusSheetPrepareApi.as_view(), name="bonus_sheet_prepare"),
    path("bonus-sheets/<int:pk>/", BonusSheetDetailApi.as_view(), name="bonus_sheet_detail"),
    path("bonus-sheets/<int:pk>/lines/", BonusSheetLinesApi.as_view(), name="bonus_sheet_lines"),
    path(
        "bonus-sheets/<int:pk>/recompute/",
        BonusSheetRecomputeApi.as_view(),
        name="bonus_sheet_recompute",
    ),
    path("bonus-sheets/<int:pk>/approve/", BonusSheetApproveApi.as_view(), name="bonus_sheet_approve"),
    path("bonus-sheets/<int:pk>/correct/", BonusSheetCorrectApi.as_view(), name="bonus_sheet_correct"),
    path("bonus-sheets/<int:pk>/adjustments/", BonusSheetAdjustApi.as_view(), name="bonus_sheet_adjust"),
    path(
        "bonus-sheets/<int:pk>/lines/<int:line_pk>/adjustments/<int:position>/",
        BonusAdjustmentRemoveApi.as_view(),
        name="bonus_adjustment_remove",
    ),
    path("bonus-sheets/<int:pk>/exports/", BonusSheetExportsApi.as_view(), name="bonus_sheet_exports"),
    path("bonus-exports/<int:pk>/", BonusFileStatusApi.as_view(), name="bonus_file_status"),
    path("bonus-exports/<int:pk>/download/", BonusFileDownloadApi.as_view(), name="bonus_file_download"),
]
