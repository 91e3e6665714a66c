from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alarms.choices import Kind, Severity, Status

ACTIVE_CHOICE = "active"


class AlarmFilterForm(forms.Form):
    """The alarm centre's filters (county, plan, kind, colour, status); status defaults to the active ones."""

    county = forms.ChoiceField(label=_("县市"), required=False)
    plan = forms.ChoiceField(label=_("实施方案"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + Kind.choices)
    severity = forms.ChoiceField(label=_("颜色"), required=False, choices=[("", _("全部"))] + Severity.choices)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[(ACTIVE_CHOICE, _("未解除")), ("", _("全部"))] + Status.choices)

    def __init__(self, data, *, counties, plans):
        data = data.copy()
        if "status" not in data:
            data["status"] = ACTIVE_CHOICE  # shown selected, and applied
        super().__init__(data)
        self.fields["county"].choices = [("", _("全部"))] + [(c.code, c.name) for c in counties]
        self.fields["plan"].choices = [("", _("全部"))] + [(p.code, p.name) for p in plans]

    def apply(self, qs):
        if not self.is_valid():
            return qs.filter(status__in=[Status.OPEN, Status.ACKNOWLEDGED])
        d = self.cleaned_data
        if d["county"]:
            qs = qs.filter(county__code=d["county"])
        if d["plan"]:
            qs = qs.filter(indicator__plan__code=d["plan"])
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["severity"]:
            qs = qs.filter(severity=d["severity"])
        status = d["status"]
        if status == ACTIVE_CHOICE:
            qs = qs.filter(status__in=[Status.OPEN, Status.ACKNOWLEDGED])
        elif status:
            qs = qs.filter(status=status)
        return qs


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label=_("确认意见"), max_length=2000,
                              widget=forms.TextInput(attrs={"size": 30, "placeholder": _("正在采取的措施")}))


class SilenceForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("规则"), queryset=None)
    county = forms.ModelChoiceField(label=_("县市"), queryset=None)
    until = forms.DateField(label=_("静默至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因（批准的豁免）"), max_length=2000)

    def __init__(self, *args, **kwargs):
        from alarms.models import AlarmRule
        from places.models import County

        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = AlarmRule.objects.all()
        self.fields["county"].queryset = County.objects.all()
