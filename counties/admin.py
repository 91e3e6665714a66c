from django.contrib import admin

from liangshan_edu.watch import ReadOnlyAdmin
from simple_history.admin import SimpleHistoryAdmin

from counties.models import CountyReopening, Figure, ReportingYear


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Figures are read here, never written: every change goes through the workflow (entry form, upload, API),
    which checks the county, the year's lock and the version, records the reason and recomputes progress."""

    list_display = ["county", "indicator", "year", "value", "numerator", "denominator", "status", "version",
                    "is_demo"]
    list_filter = ["status", "year", "county", "indicator__plan", "is_demo"]
    search_fields = ["indicator__code", "indicator__name", "county__name", "note"]


@admin.register(ReportingYear)
class ReportingYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "deadline", "locked", "locked_at", "locked_by"]
    list_filter = ["locked"]
    search_fields = ["year"]


@admin.register(CountyReopening)
class CountyReopeningAdmin(SimpleHistoryAdmin):
    list_display = ["reporting_year", "county", "active", "created_by", "created_at"]
    list_filter = ["active", "county"]
    search_fields = ["reason", "county__name"]
