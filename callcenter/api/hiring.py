"""Hiring API (GEN-1), for HR and the HR system (session or ``Authorization: Token ...`` of a
user with the HR role).

- ``POST people/hires/`` — hire one person (or rehire a leaver under their number, GEN-2):
  201 with the login's one-time password, returned in this answer only (never stored in clear).
  Only the documented fields are read; anything else in the body is ignored.
- ``POST people/imports/`` — the staff list as a file (multipart ``file``: CSV in UTF-8 or
  GB18030, or XLSX; Chinese or English headers). Without ``commit`` (a dry run): 200 with what
  the file would do, or 400 ``import_rows_invalid`` with every row error (``row``, ``column``,
  ``message``) and nothing written. With ``commit=true``: all rows in one transaction or none;
  201 with the counts and, once, the one-time passwords of the new and rehired logins.
  Re-importing the same file changes nothing.
- ``GET people/imports/template/?lang=zh|en&file_format=xlsx|csv`` — the file's template.
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, file_response
from callcenter.inputs import ApiCareerDateField, ApiIdField, JSONParser
from callcenter.permissions import HasRole
from callcenter.roles import Role

HR = HasRole(Role.HR)
_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class HireInputSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=20, help_text="Also the username. A leaver's number rehires them.")
    name = serializers.CharField(max_length=100)
    department_id = ApiIdField()
    team_id = ApiIdField(required=False, allow_null=True, help_text="Its supervisor is the direct supervisor.")
    position_id = ApiIdField()
    hire_date = ApiCareerDateField()
    first_employed_on = ApiCareerDateField(required=False, allow_null=True, help_text="LV-3; default the hire date.")
    monthly_base_pay = serializers.DecimalField(**_MONEY)
    bonus_base = serializers.DecimalField(**_MONEY)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=20)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, max_length=len(Role.choices), default=list
    )


class OnboardingItemOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    article = serializers.CharField()
    done = serializers.BooleanField(allow_null=True)


class HireOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="employee.pk")
    employee_no = serializers.CharField(source="employee.employee_no")
    name = serializers.CharField(source="employee.name")
    username = serializers.CharField(source="employee.user.username")
    rehired = serializers.BooleanField()
    one_time_password = serializers.CharField(help_text="Shown once; the first login must change it (SEC-2).")
    onboarding = OnboardingItemOutputSerializer(many=True)


class HireApi(APIView):
    permission_classes = [HR]
    parser_classes = [JSONParser]

    @extend_schema(
        request=HireInputSerializer,
        responses={201: HireOutputSerializer},
        summary="Hire an employee, or rehire a leaver under their number (GEN-1, GEN-2)",
    )
    def post(self, request):
        serializer = HireInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["roles"] = data.get("roles") or [Role.AGENT]
        result = services.employee_hire(actor=request.user, **data)
        body = {
            "employee": result.employee,
            "rehired": result.rehired,
            "one_time_password": result.one_time_password,
            "onboarding": selectors.onboarding_item_list(employee=result.employee),
        }
        response = Response(HireOutputSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class StaffImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or GB18030) or XLSX, checked by content.")
    commit = serializers.BooleanField(required=False, default=False, help_text="false (default): a dry run.")


class ImportRowErrorOutputSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="As the spreadsheet numbers it (the header is row 1).")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportChangeOutputSerializer(serializers.Serializer):
    employee_no = serializers.CharField()
    changes = serializers.DictField(help_text="{field: [before, after]}")


class StaffImportPlanOutputSerializer(serializers.Serializer):
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    rows = serializers.IntegerField()
    valid = serializers.BooleanField()
    new = serializers.ListField(child=serializers.CharField(), help_text="Employee numbers to hire.")
    rehired = serializers.ListField(child=serializers.CharField(), help_text="Leavers to rehire (GEN-2).")
    changed = ImportChangeOutputSerializer(many=True)
    unchanged = serializers.ListField(child=serializers.CharField())
    left_unchanged = serializers.ListField(child=serializers.CharField(), help_text="Leavers the row does not rehire.")
    error_count = serializers.IntegerField()
    errors = ImportRowErrorOutputSerializer(many=True, help_text="The first 200.")


class CredentialOutputSerializer(serializers.Serializer):
    employee_no = serializers.CharField()
    name = serializers.CharField()
    username = serializers.CharField()
    one_time_password = serializers.CharField()


class StaffImportResultOutputSerializer(StaffImportPlanOutputSerializer):
    committed = serializers.BooleanField()
    credentials = CredentialOutputSerializer(many=True, help_text="Returned once; never stored in clear.")


class StaffImportApi(APIView):
    permission_classes = [HR]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": StaffImportInputSerializer},
        responses={200: StaffImportPlanOutputSerializer, 201: StaffImportResultOutputSerializer},
        summary="Import the staff list: a dry run, or the commit (all rows or none)",
    )
    def post(self, request):
        serializer = StaffImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        data = upload.read(selectors.IMPORT_MAX_FILE_BYTES + 1)
        if not serializer.validated_data["commit"]:
            plan = services.staff_import_preview(actor=request.user, data=data, filename=upload.name)
            if not plan.valid:
                body = plan.as_dict()
                raise ApplicationError(
                    _("%(count)s row error(s): nothing would be imported.") % {"count": len(plan.errors)},
                    code=CoreErrorCode.IMPORT_ROWS_INVALID,
                    extra={"error_count": body["error_count"], "errors": body["errors"], "plan": body},
                )
            return Response(plan.as_dict())
        result = services.staff_import_commit(actor=request.user, data=data, filename=upload.name)
        body = {
            **result.plan.as_dict(),
            "committed": True,
            "credentials": [
                {"employee_no": no, "name": name, "username": username, "one_time_password": password}
                for no, name, username, password in result.credentials
            ],
        }
        response = Response(StaffImportResultOutputSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class StaffImportTemplateApi(APIView):
    permission_classes = [HR]

    @extend_schema(
        parameters=[
            OpenApiParameter("lang", str, enum=["zh", "en"], required=False),
            OpenApiParameter("file_format", str, enum=["xlsx", "csv"], required=False),
        ],
        responses={(200, media.split(";")[0]): OpenApiTypes.BINARY for media in (XLSX_CONTENT_TYPE, CSV_CONTENT_TYPE)},
        summary="The staff file's template (Chinese or English headers)",
    )
    def get(self, request):
        language = "en" if request.query_params.get("lang") == "en" else "zh-hans"
        file_format = "csv" if request.query_params.get("file_format") == "csv" else "xlsx"
        return file_response(services.staff_import_template(language=language, file_format=file_format))


urlpatterns = [
    path("people/hires/", HireApi.as_view(), name="hire"),
    path("people/imports/", StaffImportApi.as_view(), name="staff_import"),
    path("people/imports/template/", StaffImportTemplateApi.as_view(), name="staff_import_template"),
]
