from django.contrib import admin

from liangshan_edu.watch import AnnouncesWrites
from places.models import County, Profile


@admin.register(County)
class CountyAdmin(AnnouncesWrites, admin.ModelAdmin):
    list_display = ["code", "name", "tier", "key_assisted"]
    list_filter = ["tier", "key_assisted"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "county"]
    list_filter = ["county"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
