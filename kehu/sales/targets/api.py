"""The REST API of targets and the forecast: the same services and queries as the pages."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action, api_view, parser_classes
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kehu.core import importing
from kehu.core.api_resources import ResourceViewSet, parse_body
from kehu.core.resources import parse_id
from kehu.org.models import Department, User
from kehu.org.scope import has_module_perm
from kehu.sales.targets import forecast as forecasting
from kehu.sales.targets import imports, queries, services
from kehu.sales.targets.models import Target
from kehu.sales.targets.resources import TARGETS


class TargetSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    person_name = serializers.SerializerMethodField()
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "metric",
            "year",
            "month",
            "person",
            "person_name",
            "department",
            "department_name",
            "amount",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_person_name(self, obj) -> str | None:
        return obj.user.display_name if obj.user_id else None


class SetTargetSerializer(serializers.Serializer):
    metric = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    amount = serializers.CharField(allow_null=True, allow_blank=True, help_text="empty or null removes the target")
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="the version you loaded; 0 when there was no target"
    )


def _subject(data) -> dict:
    """The person or department of a request body (a missing id is a field error, as a form would say)."""
    subject = {"user": None, "department": None}
    if data.get("person"):
        subject["user"] = User.objects.filter(pk=data["person"]).first()
        if subject["user"] is None:
            raise ValidationError({"person": _("Choose a person who exists.")})
    elif data.get("department"):
        subject["department"] = Department.objects.filter(pk=data["department"]).first()
        if subject["department"] is None:
            raise ValidationError({"department": _("Choose a department that exists.")})
    return subject


class TargetViewSet(ResourceViewSet):
    """Target entries (one month of a person or a department). `POST /api/targets/` sets one month."""

    resource = TARGETS

    @extend_schema(request=SetTargetSerializer, responses=TargetSerializer)
    def create(self, request):
        data = parse_body(SetTargetSerializer, request.data)
        subject = _subject(data)
        target = services.set_target(
            request.user,
            metric=data["metric"],
            year=data["year"],
            month=data["month"],
            amount=data["amount"],
            expected_version=data.get("version"),
            **subject,
        )
        return Response(TargetSerializer(target).data if target else {"removed": True}, status=201 if target else 200)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("metric", str),
            OpenApiParameter("year", int),
            OpenApiParameter("department", int),
        ],
    )
    @action(detail=False, methods=["post"], url_path="copy-last-year")
    def copy_last_year(self, request):
        if not has_module_perm(request.user, "targets", "change"):
            raise ApiPermissionDenied
        data = request.data if isinstance(request.data, dict) else {}
        try:
            year = int(data.get("year"))
        except (TypeError, ValueError):
            raise ValidationError({"year": _("Enter a year between 2000 and 2100.")}) from None
        department = queries.department_for(request.user, parse_id(data.get("department", "")))
        result = services.copy_last_year(
            request.user, metric=str(data.get("metric", "")), year=year, department=department
        )
        return Response(result.__dict__)


def _figures(f) -> dict:
    return {
        "target": f.target if f.target_set else None,
        "actual": f.actual,
        "rate": f.rate,
        "gap": f.gap if f.target_set else None,
        "pipeline": f.pipeline,
        "coverage": f.coverage,
    }


def _decimals_as_text(value):
    """Decimals as strings in JSON, as DRF renders decimal fields: no float rounding on the way."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _decimals_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_as_text(v) for v in value]
    return value


def _report_params(request):
    from kehu.sales.targets.forms import ReportForm

    return ReportForm(request.query_params or None).values()


@extend_schema(
    parameters=[
        OpenApiParameter(n, t)
        for n, t in (
            ("metric", str),
            ("year", int),
            ("kind", str),
            ("index", int),
            ("department", int),
            ("person", int),
        )
    ]
)
@api_view(["GET"])
def achievement(request):
    """Target, actual, rate, gap and pipeline coverage of a person or a department (each line of its subtree the
    viewer may see), for a month, a quarter or the year; `months` has the twelve months of the subject."""
    if not has_module_perm(request.user, "targets", "view"):
        raise ApiPermissionDenied
    values = _report_params(request)
    if request.query_params.get("person"):
        person, department = queries.person_for(request.user, parse_id(request.query_params["person"])), None
    elif request.query_params.get("department"):
        person, department = None, queries.department_for(request.user, parse_id(request.query_params["department"]))
    else:
        kind, subject = queries.default_subject(request.user)
        person, department = (subject, None) if kind == "person" else (None, subject)
    report = queries.report(
        request.user,
        values["metric"],
        values["year"],
        department=department,
        person=person,
        kind=values["kind"],
        index=values["index"],
    )

    def line(item):
        return {"kind": item.kind, "id": item.obj.pk, "name": str(item.obj), **_figures(item.figures)}

    return Response(
        _decimals_as_text(
            {
                "metric": values["metric"].key,
                "unit": values["metric"].unit,
                "year": values["year"],
                "kind": values["kind"],
                "index": values["index"],
                "subject": line(report.subject),
                "months": [{"month": int(label), **_figures(f)} for label, f in report.subject.series("month")],
                "lines": [line(item) for item in report.lines],
            }
        )
    )


@extend_schema(
    parameters=[
        OpenApiParameter(n, t)
        for n, t in (
            ("year", int),
            ("kind", str),
            ("index", int),
            ("department", int),
            ("person", int),
            ("figure", str),
            ("month", int),
        )
    ]
)
@api_view(["GET"])
def forecast(request):
    """The weighted forecast of a month or quarter (committed, weighted, expected, best case, target); with
    `figure` (committed | weighted | best_case) the opportunities behind it, paged (`page`, 50 a page)."""
    if not has_module_perm(request.user, "opportunities", "view"):
        raise ApiPermissionDenied
    from kehu.sales.targets.views import forecast_subject, forecast_values

    year, kind, index = forecast_values(request.query_params)
    department, person = forecast_subject(request.query_params)
    result = forecasting.forecast(request.user, year, kind, index, department=department, person=person)

    def column(c):
        return {
            "label": c.label,
            "months": c.months,
            **c.figures,
            "open_count": c.open_count,
            "won_count": c.won_count,
            "target": c.target,
            "rate": c.rate,
            "gap": c.gap,
        }

    body = {
        "year": year,
        "kind": kind,
        "index": index,
        "total": column(result.total),
        "months": [column(c) for c in result.columns],
    }
    figure = request.query_params.get("figure")
    if figure:
        if figure not in forecasting.FIGURES:
            raise ValidationError({"figure": _("Use committed, weighted or best_case.")})
        from kehu.core.listing import CappedPaginator
        from kehu.sales.targets import arithmetic as calc

        rows = forecasting.drill_down(request.user, year, kind, index, figure, department=department, person=person)
        page = CappedPaginator(rows, 50).get_page(request.query_params.get("page"))
        body["opportunities"] = [
            {
                "id": o.pk,
                "number": o.number,
                "name": o.name,
                "customer": o.customer_id,
                "owner": o.owner_id,
                "status": o.status,
                "stage": o.stage.name,
                "probability": o.stage.probability,
                "amount": o.amount,
                "won_amount": o.won_amount,
                "expected_close_date": o.expected_close_date,
                "closed_on": o.closed_on,
                "weighted": calc.weighted(o.amount or 0, o.stage.probability) if o.status == "open" else None,
            }
            for o in page.object_list
        ]
        body["count"] = page.paginator.count
    return Response(_decimals_as_text(body))


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=importing.MODES, default="validate")


@extend_schema(request={"multipart/form-data": ImportSerializer})
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_targets(request):
    """Check (mode `validate`) or write (`all`: every row or none; `valid_only`) a targets workbook."""
    data = parse_body(ImportSerializer, request.data)
    try:
        result = imports.run_import(request.user, data["file"], mode=data["mode"])
    except importing.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from None
    return Response(result.as_dict())
