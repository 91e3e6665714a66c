from django.contrib import admin

from liangshan_edu.watch import ReadOnlyAdmin
from simple_history.admin import SimpleHistoryAdmin

from redblack.models import Appeal, Entry, ListJob, ListRule, NoticeEvent, Publication, SupervisionNotice


@admin.register(ListRule)
class ListRuleAdmin(SimpleHistoryAdmin):
    """Administrators edit the list rules (data); ``clean`` checks the function is registered."""

    list_display = ["code", "name", "list", "function", "params", "active", "order"]
    list_filter = ["list", "active"]
    list_editable = ["active", "order"]


class ReadOnly(ReadOnlyAdmin, admin.ModelAdmin):
    pass


@admin.register(Publication)
class PublicationAdmin(ReadOnly):
    """Published lists are never changed here: a correction is published from the lists pages."""

    list_display = ["period", "version", "year", "published_at", "published_by", "reason"]
    list_filter = ["year"]


@admin.register(ListJob)
class ListJobAdmin(ReadOnly):
    """Publications and corrections run in the background: what was asked, by whom, how it ended."""

    list_display = ["created_at", "action", "period", "year", "state", "requested_by", "result", "error"]
    list_filter = ["action", "state"]
    list_select_related = ["requested_by", "result"]


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["publication", "list", "county", "indicator", "rule", "reason"]
    list_filter = ["list", "rule"]
    list_select_related = ["publication", "county", "indicator"]


@admin.register(Appeal)
class AppealAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["entry", "county", "status", "created_at", "decided_at"]
    list_filter = ["status"]


class EventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "colour", "at", "by", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnly, SimpleHistoryAdmin):
    """Notices change only through their workflow (pages and API); the admin shows them and their history."""

    list_display = ["title", "county", "status", "colour", "deadline", "created_at"]
    list_filter = ["status", "colour"]
    inlines = [EventInline]
