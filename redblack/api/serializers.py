from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from indicators.models import Indicator
from places.models import County
from redblack.choices import NoticeStatus
from redblack.models import Entry, PlanItem, Publication, SupervisionNotice


class EntrySerializer(serializers.ModelSerializer):
    """One line of a published list (``indicator`` null for a county-level entry)."""

    period = serializers.CharField(source="publication.period")
    version = serializers.IntegerField(source="publication.version")
    year = serializers.IntegerField(source="publication.year")
    county = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    indicator = serializers.CharField(source="indicator.code", allow_null=True, default=None)
    published_at = serializers.DateTimeField(source="publication.published_at")

    class Meta:
        model = Entry
        fields = ["id", "period", "version", "year", "list", "county", "county_name", "indicator", "rule", "reason",
                  "figures", "published_at"]


class PublishSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=_("YYYY-MM（月度）或 YYYY-Qn（季度）"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("数据年度"))


class PublicationSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.username")
    corrects = serializers.IntegerField(source="corrects.version", allow_null=True, default=None)
    entries = EntrySerializer(many=True)

    class Meta:
        model = Publication
        fields = ["id", "period", "year", "version", "corrects", "reason", "published_at", "published_by", "entries"]


class PlanItemSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())

    class Meta:
        model = PlanItem
        fields = ["indicator", "cause", "measures", "responsible", "start", "due"]


class SupervisionSerializer(serializers.ModelSerializer):
    """A supervision notice. Officials create (``county`` required; ``indicators``, ``deadline`` and
    ``message`` default to the one-click prefill); the county's clerk PATCHes ``reply`` (and ``plan``), the
    official PATCHes ``status`` (``closed`` 销号, ``open`` sends it back, with ``comment``)."""

    county = serializers.SlugRelatedField(slug_field="code", queryset=County.objects.all())
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Indicator.objects.all(),
                                              required=False)
    deadline = serializers.DateField(required=False)
    message = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=NoticeStatus.choices, required=False)
    reply = serializers.CharField(required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    plan = PlanItemSerializer(many=True, required=False)
    entry = serializers.PrimaryKeyRelatedField(queryset=Entry.objects.all(), required=False, allow_null=True)

    class Meta:
        model = SupervisionNotice
        fields = ["id", "county", "indicators", "deadline", "title", "message", "status", "colour", "reply",
                  "comment", "plan", "figures", "entry", "created_at", "first_replied_at", "replied_at", "closed_at"]
        read_only_fields = ["colour", "figures", "created_at", "first_replied_at", "replied_at", "closed_at"]
