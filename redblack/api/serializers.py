from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from indicators.models import Indicator
from places.models import County
from redblack.choices import NoticeStatus
from redblack.models import Appeal, Entry, Evidence, PlanItem, ProgressReport, Publication, SupervisionNotice


class EntrySerializer(serializers.ModelSerializer):
    """One line of a published list (``indicator`` null for a county-level entry)."""

    period = serializers.CharField(source="publication.period")
    version = serializers.IntegerField(source="publication.version")
    year = serializers.IntegerField(source="publication.year")
    county = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    indicator = serializers.CharField(source="indicator.code", allow_null=True, default=None)
    published_at = serializers.DateTimeField(source="publication.published_at")
    change = serializers.CharField(help_text=_("更正版本中相对上一版：added（本版新增）、changed（理由或数据有变化）；"
                                               "否则为空"))

    class Meta:
        model = Entry
        fields = ["id", "period", "version", "year", "list", "county", "county_name", "indicator", "rule", "reason",
                  "figures", "published_at", "change"]


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


class EvidenceSerializer(serializers.ModelSerializer):
    """An evidence file (佐证材料): its download (``url``) is a page of the site, for the same readers."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, obj: Evidence) -> str:
        return reverse("supervision-evidence", args=[obj.pk])


FILES_HELP = _("佐证材料（multipart/form-data 上传，可多个）：PDF、PNG、JPG、DOCX、XLSX")


def files_field() -> serializers.ListField:
    return serializers.ListField(child=serializers.FileField(), required=False, max_length=10, help_text=FILES_HELP)


class ProgressReportSerializer(serializers.ModelSerializer):
    """A progress report (整改进展) on a supervision notice, with its evidence."""

    author = serializers.CharField(source="author.username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "notice", "text", "author", "created_at", "evidence"]
        read_only_fields = fields


class ProgressReportCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("整改进展"))
    files = files_field()


class AppealSerializer(serializers.ModelSerializer):
    """An appeal (申诉) against one entry of a published list; ``correction`` is the version an upheld appeal
    published."""

    period = serializers.CharField(source="entry.publication.period", read_only=True)
    version = serializers.IntegerField(source="entry.publication.version", read_only=True)
    list = serializers.CharField(source="entry.list", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    indicator = serializers.CharField(source="entry.indicator.code", allow_null=True, default=None, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None, read_only=True)
    correction_version = serializers.IntegerField(source="correction.version", allow_null=True, default=None,
                                                  read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "entry", "period", "version", "list", "county", "indicator", "reason", "status", "decision",
                  "created_by", "created_at", "decided_by", "decided_at", "correction", "correction_version",
                  "evidence"]
        read_only_fields = fields


class AppealCreateSerializer(serializers.Serializer):
    entry = serializers.PrimaryKeyRelatedField(
        queryset=Entry.objects.select_related("publication", "county", "indicator"),
        help_text=_("申诉的榜单条目（本县、该期最新版本、发布后申诉期内）"))
    reason = serializers.CharField(max_length=5000, help_text=_("申诉理由"))
    files = files_field()


class AppealDecisionSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text=_("true：申诉成立（发布更正版本）；false：驳回"))
    decision = serializers.CharField(max_length=5000, help_text=_("处理意见"))
