"""Filter pieces shared by the API's filter sets, under the API's rule for query parameters: an empty value
means the parameter was not given, any other value that is not valid is a 400 naming the parameter."""
from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TRUE, FALSE = ("true", "1"), ("false", "0")


class StrictNullBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``; any case); empty is "not given"; anything else is refused, where
    Django's field would silently read it as "not given"."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("请填写 true 或 false。")}

    def to_python(self, value) -> bool | None:
        if value is None or value == "":
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField
