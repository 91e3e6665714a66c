from django import forms
from django.utils.translation import gettext_lazy as _

from places.models import County
from scoring.choices import Situation

TEXT_MAX = 2000


class PublishForm(forms.Form):
    note = forms.CharField(label=_("说明（发布更正版时须写明更正原因）"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))


class HandScoreForm(forms.Form):
    item = forms.ModelChoiceField(label=_("考评项目"), queryset=None)
    county = forms.ModelChoiceField(label=_("县市"), queryset=County.objects.order_by("code"))
    points = forms.DecimalField(label=_("得分"), min_value=0, max_digits=5, decimal_places=2)
    reason = forms.CharField(label=_("评分理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class DisqualificationForm(forms.Form):
    """Against a county, or a school given by its code (exactly one)."""

    county = forms.ModelChoiceField(label=_("县市"), queryset=County.objects.order_by("code"), required=False)
    school = forms.CharField(label=_("或学校代码"), max_length=20, required=False)
    situation = forms.ChoiceField(label=_("情形"), choices=Situation.choices)
    reason = forms.CharField(label=_("事由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("证据（文件名称、文号或链接）"), max_length=TEXT_MAX)

    def clean(self):
        from scoring.models import School

        data = super().clean()
        code = (data.get("school") or "").strip()
        data["school"] = School.objects.filter(code=code).first() if code else None
        if code and data["school"] is None:
            self.add_error("school", _("没有这个学校代码。"))
        elif bool(data.get("county")) == bool(data["school"]):
            raise forms.ValidationError(_("须且只能选择一个县市或一所学校。"))
        return data


class DepartmentForm(forms.Form):
    """A prefecture department's score by its own yearly rules, the reason, and the official's commendation."""

    unit = forms.ModelChoiceField(label=_("州级部门"), queryset=None)
    score = forms.DecimalField(label=_("履行教育职责工作目标考核得分"), min_value=0, max_value=100, max_digits=5,
                               decimal_places=2)
    reason = forms.CharField(label=_("考核说明"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    commended = forms.BooleanField(label=_("通报表扬"), required=False)

    def __init__(self, *args, **kwargs):
        from indicators.models import ResponsibleUnit

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = ResponsibleUnit.objects.filter(name__startswith="州").order_by("name")
