from django.urls import reverse
from rest_framework import serializers

from reports.models import ExportRecord


class ExportRecordSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportRecord
        fields = ["id", "user", "kind", "scope", "format", "as_of", "data_version", "sha256", "size", "status",
                  "done", "total", "percent", "error", "created_at", "finished_at", "download"]

    def get_download(self, record) -> str | None:
        if record.status == ExportRecord.Status.DONE and record.file:
            return reverse("report-download", args=[record.pk])
        return None


class VerifySerializer(serializers.Serializer):
    """The file to verify (multipart field ``file``)."""

    file = serializers.FileField()


class VerifyResultSerializer(serializers.Serializer):
    """What verification found: the file's SHA-256 and the export records with those exact bytes."""

    sha256 = serializers.CharField()
    found = serializers.BooleanField()
    records = ExportRecordSerializer(many=True)
