from rest_framework import serializers

from counties.models import County


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name", "short_name", "name_en", "tier", "key_assisted"]
