from django.contrib import admin

from liangshan_edu.watch import ReadOnlyAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from scoring.models import (Assessment, AssessmentRow, DepartmentAssessment, Disqualification, HandScore,
                            PublishedSchoolRow, Scheme, SchemeItem, School, SchoolScore)


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0
    fields = ["order", "label", "kind", "method", "plan", "indicators", "weight"]
    autocomplete_fields = ["indicators"]

    def _editable(self, obj) -> bool:
        return obj is None or not obj.frozen

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    """考评细则: administrators set a year's items and weights; a published year's scheme is read-only."""

    list_display = ["year", "note", "frozen"]
    inlines = [SchemeItemInline]

    @admin.display(boolean=True, description=_("已发布（冻结）"))
    def frozen(self, obj):
        return obj.frozen

    def has_change_permission(self, request, obj=None):
        return (obj is None or not obj.frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.frozen) and super().has_delete_permission(request, obj)


@admin.register(HandScore)
class HandScoreAdmin(SimpleHistoryAdmin):
    list_display = ["item", "county", "points", "entered_by", "entered_at"]
    list_filter = ["item__scheme__year"]

    def has_add_permission(self, request):
        return False  # officials score on the assessment page (services.set_hand_score checks the rules)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Disqualification)
class DisqualificationAdmin(SimpleHistoryAdmin):
    list_display = ["year", "county", "school", "situation", "recorded_by", "recorded_at", "withdrawn"]
    list_filter = ["year", "situation", "withdrawn"]

    def has_add_permission(self, request):
        return False  # recorded by officials on the assessment page

    def has_change_permission(self, request, obj=None):
        return False


ReadOnly = ReadOnlyAdmin  # published results are never changed, not even in the admin


class AssessmentRowInline(ReadOnly, admin.TabularInline):
    model = AssessmentRow
    fields = ["county", "score", "rank", "award", "bonus", "bottom_named", "staff_deduction_pct", "accountability"]
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["year", "version", "published_at", "published_by"]
    inlines = [AssessmentRowInline]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "county", "stage", "ownership", "active", "demo"]
    list_filter = ["stage", "ownership", "active", "county"]
    search_fields = ["code", "name"]


@admin.register(SchoolScore)
class SchoolScoreAdmin(SimpleHistoryAdmin):
    list_display = ["school", "year", "score", "status", "entered_by", "reviewed_by"]
    list_filter = ["year", "status", "school__stage"]

    def has_add_permission(self, request):
        return False  # entered by counties and approved by the prefecture on the school pages

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SchemeItem)
class SchemeItemAdmin(SimpleHistoryAdmin):
    """The items one by one (with their history); edited in their scheme, read-only once it is frozen."""

    list_display = ["scheme", "order", "label", "kind", "method", "plan", "weight"]
    list_filter = ["scheme__year", "kind", "method"]
    search_fields = ["label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return (obj is None or not obj.scheme.frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.scheme.frozen) and super().has_delete_permission(request, obj)


@admin.register(AssessmentRow)
class AssessmentRowAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["assessment", "county", "score", "rank", "award", "bonus", "bottom_named"]
    list_filter = ["assessment__year"]
    search_fields = ["county__name"]


@admin.register(PublishedSchoolRow)
class PublishedSchoolRowAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["assessment", "stage", "rank", "school", "county", "score", "bottom_listed", "deduction_pct",
                    "commendation"]
    list_filter = ["assessment__year", "stage"]
    search_fields = ["school__name", "school__code"]


@admin.register(DepartmentAssessment)
class DepartmentAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["year", "unit", "score", "commended", "entered_by", "entered_at"]
    list_filter = ["year", "commended"]

    def has_add_permission(self, request):
        return False  # recorded by officials on the assessment page

    def has_change_permission(self, request, obj=None):
        return False
