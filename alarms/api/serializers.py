from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alarms.models import Alarm


class AlarmSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("县市代码"))
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True,
                                             help_text=_("指标代码；填报、督导类报警为 null"))
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Alarm
        fields = ["id", "county", "indicator", "kind", "severity", "status", "period", "message", "raised_at",
                  "escalated_at", "acknowledged_at", "acknowledged_by", "comment", "resolved_at"]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text=_("确认意见：正在采取的措施"))
