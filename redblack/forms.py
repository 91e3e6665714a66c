from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from redblack import conf


class PreviewForm(forms.Form):
    period = forms.CharField(label=_("期次"), max_length=7, help_text=_("YYYY-MM（月通报）或 YYYY-Qn（季挂榜）"))
    year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100)


class EntryIdsField(forms.MultipleChoiceField):
    """Entry ids ticked in the lists (a page of a national list at a time, so no list of choices): numbers only;
    ``lists.correct`` refuses ids that are not lines of the version corrected."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) <= 18


class CorrectionForm(forms.Form):
    remove = EntryIdsField(label=_("撤下的条目"), required=False)
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"})

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def files_help() -> str:
    return str(_("可上传 PDF、PNG、JPG、DOCX、XLSX，每个不超过 %(mb)s MB。") % {"mb": conf.evidence_max_bytes() // (1024 * 1024)})


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}))
    files = FilesField(label=_("佐证材料"), required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))
    uphold = forms.TypedChoiceField(label=_("结论"), coerce=lambda v: v == "1",
                                    choices=[("1", _("申诉成立（发布更正版本）")), ("0", _("驳回申诉"))])


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    indicators = forms.MultipleChoiceField(label=_("督导指标"), widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=_("回复期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    message = forms.CharField(label=_("督导内容"), widget=forms.Textarea(attrs={"rows": 7}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(str(i.pk), f"{i.code} {i.name}") for i in indicators]


class PlanLineForm(forms.Form):
    cause = forms.CharField(label=_("滞后原因"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("责任人"), max_length=100)
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due = forms.DateField(label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("整改回复（总体说明）"), widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    text = forms.CharField(label=_("整改进展"), widget=forms.Textarea(attrs={"rows": 3}))
    files = FilesField(label=_("佐证材料"), required=False)


class DecideNoticeForm(forms.Form):
    action = forms.ChoiceField(choices=[("close", _("核查销号")), ("send_back", _("退回重改"))])
    comment = forms.CharField(label=_("州级意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
