from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import AreaTally, AssessmentRuleSet, Evaluation, Progress, RecomputeJob, Snapshot, SnapshotRow


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["area", "indicator", "year", "value", "target", "target_year", "expected", "status", "overdue"]
    list_filter = ["status", "overdue", "year", "indicator__plan"]
    search_fields = ["area", "indicator__code", "indicator__name"]

    def has_add_permission(self, request):
        return False  # progress is derived, never typed in

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["area", "indicator", "target_year", "target", "value_at_deadline", "met_year", "result",
                    "latest_value", "latest_year"]
    list_filter = ["result", "target_year", "indicator__plan"]
    search_fields = ["area", "indicator__code", "indicator__name"]
    list_select_related = ["indicator"]

    def has_add_permission(self, request):
        return False  # the final evaluation is derived with progress, never typed in

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AreaTally)
class AreaTallyAdmin(admin.ModelAdmin):
    list_display = ["measure", "period", "area", "code", "n"]
    list_filter = ["measure", "period"]
    search_fields = ["area", "code"]

    def has_add_permission(self, request):
        return False  # derived with progress

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeJob)
class RecomputeJobAdmin(admin.ModelAdmin):
    list_display = ["id", "scope", "state", "done", "total", "rows", "created_at", "finished_at"]
    list_filter = ["state"]
    search_fields = ["scope", "error"]

    def has_add_permission(self, request):
        return False  # jobs are started from the progress page or the API, and record what happened

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssessmentRuleSet)
class AssessmentRuleSetAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "year"]
    search_fields = ["source"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "period", "taken_at", "rows"]
    list_filter = ["kind"]
    search_fields = ["period", "note"]
    readonly_fields = ["kind", "period", "taken_at", "taken_by", "rows"]

    def has_delete_permission(self, request, obj=None):
        return False  # published snapshots are kept forever


@admin.register(SnapshotRow)
class SnapshotRowAdmin(admin.ModelAdmin):
    list_display = ["snapshot", "area", "indicator_code", "year", "value", "target", "status", "overdue"]
    list_filter = ["snapshot", "status", "overdue", "year"]
    search_fields = ["area", "indicator_code"]
    list_select_related = ["snapshot"]

    def has_add_permission(self, request):
        return False  # published rows are never edited

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
