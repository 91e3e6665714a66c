from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, Plan, ResponsibleUnit, Target, Task, Unit
from liangshan_edu.watch import AnnouncesWrites


@admin.register(Plan)
class PlanAdmin(AnnouncesWrites, admin.ModelAdmin):
    list_display = ["code", "name", "cycle", "issued", "document"]
    list_filter = ["cycle"]
    search_fields = ["code", "name", "short_name"]


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "title", "section"]
    list_filter = ["plan", "lead_units"]
    search_fields = ["title", "section"]
    filter_horizontal = ["lead_units", "cooperating_units"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kinds"]
    search_fields = ["code", "name"]


class TargetForm(forms.ModelForm):
    """A target's form: ``period`` left empty means a yearly rule (1), so a form posted without it (as before
    periods existed) still saves."""

    period = forms.IntegerField(label=_("周期（年）"), required=False, min_value=1,
                                help_text=Target._meta.get_field("period").help_text)

    class Meta:
        model = Target
        fields = "__all__"

    def clean_period(self) -> int:
        return self.cleaned_data.get("period") or 1


class TargetInline(admin.TabularInline):
    model = Target
    form = TargetForm
    extra = 0
    filter_horizontal = ["counties"]


@admin.register(Indicator)
class IndicatorAdmin(AnnouncesWrites, SimpleHistoryAdmin):
    list_display = ["code", "name", "plan", "task", "unit", "kind", "direction", "level", "rollup", "retired"]
    list_filter = ["plan", "kind", "direction", "level", "rollup", "unit", "retired"]
    search_fields = ["code", "name", "name_en", "source"]
    inlines = [TargetInline]
    autocomplete_fields = ["task"]


@admin.register(Target)
class TargetAdmin(AnnouncesWrites, SimpleHistoryAdmin):
    form = TargetForm
    list_display = ["indicator", "year", "assumed_deadline", "value", "upper_value", "tier", "condition_text", "note"]
    # 推定期限: an auditor lists every deadline the plans do not give (issue 14 item 6).
    list_filter = ["assumed_deadline", "year", "tier", "indicator__plan"]
    search_fields = ["indicator__code", "indicator__name", "note"]
    filter_horizontal = ["counties"]


admin.site.site_header = _("凉山州教育高质量发展目标监测平台")
admin.site.site_title = _("凉山教育监测")
admin.site.index_title = _("系统管理")
