"""API serializers of the counties app: counties, and figures (填报数据) with their history."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from counties import services
from counties.models import Figure
from counties.validation import TEXT_MAX_LENGTH
from liangshan_edu.api import MAX_ID
from places.models import County
from indicators.models import Indicator
from indicators.choices import Kind


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name", "short_name", "name_en", "tier", "key_assisted"]


# ── figures (填报数据) ─────────────────────────────────────────────────────────────────────────────────────────
# The serializers only shape JSON; every rule (who, state, version, values, locking) is in counties.services,
# which the views call. Numbers are passed on as typed so that counties.validation gives its own messages.


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A number in JSON (or a numeric string); parsed and checked by ``counties.validation``, not here."""

    default_error_messages = {"invalid": _("请填写数字。")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str, Decimal)):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class FigureSerializer(serializers.ModelSerializer):
    """A county's figure (DESIGN §6). Counties and indicators by code; a rate's value is in percent.

    Writing: POST creates a draft (``county``, ``indicator``, ``year`` and the values); PATCH edits the values
    and needs the ``version`` the client read. For a rate send ``numerator`` and ``denominator``: the value is
    derived from them. For a milestone ``value`` is 1 (done, with ``done_on``) or 0.
    """

    county = serializers.SlugRelatedField(
        slug_field="code", queryset=County.objects.all(), help_text=_("县市代码（GB/T 2260）"),
        error_messages={"does_not_exist": _("县市代码“{value}”不存在。"), "invalid": _("县市代码无效。")},
    )
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.select_related("unit"), help_text=_("指标代码"),
        error_messages={"does_not_exist": _("指标代码“{value}”不存在。"), "invalid": _("指标代码无效。")},
    )
    year = serializers.IntegerField(help_text=_("年度"))
    value = NumberField(help_text=_("数值；比率为百分数（92 表示 92%），由分子、分母计算；节点任务 1=已完成，0=未完成"))
    numerator = NumberField(help_text=_("分子（仅比率指标）"))
    denominator = NumberField(help_text=_("分母（仅比率指标）"))
    done_on = serializers.DateField(required=False, allow_null=True, help_text=_("完成日期（已完成的节点任务必填）"))
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH,
                                     help_text=_("佐证材料"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH, help_text=_("备注"))
    version = serializers.IntegerField(
        required=False, help_text=_("版本号。修改（PATCH）时必填：您读取时的版本；已被他人修改则返回 409。"))
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100,
                                   help_text=_("修改原因（记入修改历史）"))
    county_name = serializers.CharField(source="county.name", read_only=True, allow_null=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit.code", read_only=True)
    kind = serializers.CharField(source="indicator.kind", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Figure
        fields = ["id", "county", "indicator", "year", "value", "numerator", "denominator", "note", "status",
                  "version", "done_on", "evidence", "return_reason", "submitted_at", "approved_at", "approved_by",
                  "is_demo", "county_name", "indicator_name", "unit", "kind", "status_display", "created_at",
                  "updated_at", "reason"]
        read_only_fields = ["id", "status", "return_reason", "submitted_at", "approved_at", "is_demo",
                            "created_at", "updated_at"]
        # No unique-together validator: an existing figure is the service's 409 with the current one attached.
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            return attrs
        errors = {}
        if attrs.get("version") is None:
            errors["version"] = [_("修改时须提供版本号 version（您读取该数据时的版本）。")]
        fixed = {"county": _("县市"), "indicator": _("指标"), "year": _("年度")}
        for name, label in fixed.items():
            if name in attrs and attrs[name] != getattr(self.instance, name):
                errors[name] = [_("不能修改%(label)s；如需填报其他%(label)s，请新建数据。") % {"label": label}]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated: dict) -> Figure:
        # Creating never overwrites a figure that already exists, even one's own (409 with the current one).
        result = services.save_draft(
            self.context["request"].user, validated["county"], validated["indicator"], validated["year"],
            value=validated.get("value"), numerator=validated.get("numerator"),
            denominator=validated.get("denominator"), done_on=validated.get("done_on"),
            evidence=validated.get("evidence"), note=validated.get("note"), expected_version=0,
            reason=validated.get("reason", ""), must_be_new=True,
        )
        return result.figure

    def update(self, figure: Figure, validated: dict) -> Figure:
        # A PATCH names only what changes; the service takes the whole set of values, so keep the rest.
        def kept(name: str):
            return validated[name] if name in validated else getattr(figure, name)

        result = services.save_draft(
            self.context["request"].user, figure.county, figure.indicator, figure.year,
            # a rate's value is derived from its parts: the stored one is never sent back as input
            value=validated.get("value") if figure.indicator.kind == Kind.RATE else kept("value"),
            numerator=kept("numerator"), denominator=kept("denominator"), done_on=kept("done_on"),
            evidence=validated.get("evidence"), note=validated.get("note"),
            expected_version=validated["version"], reason=validated.get("reason", ""),
        )
        return result.figure


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()
    code = serializers.CharField()


class FigureDetailSerializer(FigureSerializer):
    """One figure, with the plausibility warnings that need a note before it is submitted."""

    warnings = serializers.SerializerMethodField()

    class Meta(FigureSerializer.Meta):
        fields = [*FigureSerializer.Meta.fields, "warnings"]

    @extend_schema_field(ProblemSerializer(many=True))
    def get_warnings(self, figure: Figure) -> list[dict]:
        return [{"field": w.field, "message": w.message, "code": w.code} for w in services.warnings_for(figure)]


class FigureTransitionSerializer(serializers.Serializer):
    """Body of submit/approve: ``version`` (optional) is the version the client read."""

    version = serializers.IntegerField(required=False, allow_null=True, help_text=_("您读取时的版本（可选）"))


class FigureReasonSerializer(FigureTransitionSerializer):
    """Body of return/reopen: the reason the county will read."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH,
                                   help_text=_("原因（必填，县级填报员可见）"))


class FigureBulkSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("submit", _("提交")), ("approve", _("审核通过")), ("return", _("退回"))],
        error_messages={"invalid_choice": _("“{input}”不是有效的批量操作（submit、approve、return）。")},
    )
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False,
                                max_length=1000, help_text=_("数据编号"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH,
                                   help_text=_("退回原因（退回时必填）"))
    versions = serializers.DictField(
        child=serializers.IntegerField(), required=False,
        help_text=_("可选：数据编号 → 您读取时的版本；已被他人修改的数据将被拒绝（409）"))

    def validate_versions(self, versions: dict) -> dict[int, int]:
        try:
            return {int(key): version for key, version in versions.items()}
        except ValueError:
            raise serializers.ValidationError(_("versions 的键须为数据编号。")) from None


class FigureRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.IntegerField(help_text=_("单独操作时的 HTTP 状态码"))
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class FigureBulkResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    done = FigureSerializer(many=True)
    refused = FigureRefusalSerializer(many=True)


class FigureErrorSerializer(serializers.Serializer):
    """An error a clerk can act on; ``current`` is the newer figure when the version was stale."""

    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    current = FigureSerializer(required=False)


class FigureChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class FigureHistorySerializer(serializers.Serializer):
    """One change of a figure: who, when, what (old → new) and why."""

    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    type = serializers.CharField(help_text=_("+ 新建，~ 修改，- 删除"))
    type_display = serializers.CharField()
    reason = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    changes = FigureChangeSerializer(many=True)
