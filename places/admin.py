from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from liangshan_edu.watch import AnnouncesWrites
from places.models import Attribute, AttributeValue, County, Profile


@admin.register(County)
class CountyAdmin(AnnouncesWrites, admin.ModelAdmin):
    list_display = ["code", "name", "tier", "key_assisted"]
    list_filter = ["tier", "key_assisted"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit"]
    search_fields = ["code", "name"]


@admin.register(AttributeValue)
class AttributeValueAdmin(AnnouncesWrites, SimpleHistoryAdmin):
    """County attributes year by year (常住人口, 有省级示范性高中 …): a change recomputes progress, as a target's does."""

    list_display = ["county", "attribute", "year", "value", "source"]
    list_filter = ["attribute", "year", "county"]
    search_fields = ["county__name", "attribute__name", "source"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "county"]
    list_filter = ["county"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
