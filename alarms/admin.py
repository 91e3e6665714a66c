from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from alarms.models import Alarm, AlarmRule, Publication, Silence


@admin.register(AlarmRule)
class AlarmRuleAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "severity", "days", "audience", "delivery", "escalate_after_days", "enabled")
    list_editable = ("enabled",)
    readonly_fields = ("kind",)

    def has_add_permission(self, request) -> bool:
        return False  # one rule per kind, shipped (alarms.defaults)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alarm)
class AlarmAdmin(SimpleHistoryAdmin):
    """Read-only: alarms are raised by the recompute and the clock, never typed in."""

    list_display = ("county", "indicator", "kind", "severity", "status", "raised_at", "resolved_at")
    list_filter = ("kind", "severity", "status")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Silence)
class SilenceAdmin(SimpleHistoryAdmin):
    list_display = ("rule", "county", "until", "reason", "created_by", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("kind", "period", "version", "published_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
