"""Forms of the figure pages. They only collect what the user typed; every rule is in ``counties.services``
and ``counties.validation`` (the forms hand the raw text over and show the problems that come back)."""
from __future__ import annotations


from django import forms
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from counties.choices import FigureStatus
from counties.errors import FigureError
from counties.validation import TEXT_MAX_LENGTH
from places.models import County
from counties.models import Figure
from indicators.models import Plan
from indicators.choices import Kind
from liangshan_edu.formats import plain


DONE_CHOICES = [("", "—"), ("1", _("已完成")), ("0", _("未完成"))]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FigureRowForm(forms.Form):
    """One indicator's row of the entry page (prefix = the indicator's code); ``row_form`` picks the subclass
    for the indicator's kind (a rate has numerator and denominator, a milestone done/date/evidence, others a value).

    ``version`` is the version of the figure the page was built from (0: there was none); each input also
    posts the value it was shown with (``show_hidden_initial``), so a row counts as edited only when the user
    changed it — never because someone else changed the figure meanwhile (that is a conflict instead).
    """

    kind = ""
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=TEXT_MAX_LENGTH, show_hidden_initial=True,
                           widget=forms.Textarea(attrs={"rows": 1, "cols": 18}))

    def __init__(self, *args, figure: Figure | None = None, **kwargs) -> None:
        kwargs.setdefault("initial", self.initial_for(figure))
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(figure: Figure | None) -> dict:
        if figure is None:
            return {"version": 0}
        done = "" if figure.value is None else ("1" if figure.value == 1 else "0")
        return {"version": figure.version, "value": plain(figure.value), "numerator": plain(figure.numerator),
                "denominator": plain(figure.denominator), "done": done, "done_on": figure.done_on,
                "evidence": figure.evidence, "note": figure.note}

    @property
    def edited(self) -> bool:
        return any(name != "version" for name in self.changed_data)

    def service_values(self) -> dict:
        """The keyword arguments of ``services.save_draft`` (raw text: the service parses and checks it)."""
        data = self.cleaned_data
        values = {"note": data["note"]}
        if self.kind == Kind.RATE:
            values.update(numerator=data["numerator"], denominator=data["denominator"])
        elif self.kind == Kind.MILESTONE:
            values.update(value=data["done"] or None, done_on=data["done_on"], evidence=data["evidence"])
        else:
            values["value"] = data["value"]
        return values

    def add_problems(self, exc: FigureError) -> None:
        """Show a refused save next to the cells it concerns (its problems), else above the row."""
        placed = False
        for problem in exc.problems:
            name = "done" if problem.field == "value" and self.kind == Kind.MILESTONE else problem.field
            if name in self.fields and name != "version":
                self.add_error(name, problem.message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)

    @cached_property
    def html(self) -> dict[str, str]:
        """Each input with its hidden initial, written directly: Django's widget templates take seconds for a
        page of 250 rows. Same names, values and propagation of the shown values as ``{{ form.field }}``."""
        return {name: self._html(self[name]) for name in self.fields}

    def _html(self, bf) -> str:
        field, widget = bf.field, bf.field.widget
        attrs = {"id": bf.auto_id, **widget.attrs}
        if not widget.is_hidden:
            attrs["aria-label"] = str(field.label)
        html = _input(widget, bf.html_name, widget.format_value(bf.value()), attrs)
        if field.show_hidden_initial:
            if self.is_bound and bf.html_initial_name in self.data:
                shown = self.data.get(bf.html_initial_name)
            else:
                shown = bf.initial
            html += _input(forms.HiddenInput(), bf.html_initial_name, forms.HiddenInput().format_value(shown), {})
        return mark_safe(html)


def _input(widget, name: str, value, attrs: dict) -> str:
    if isinstance(widget, forms.Textarea):
        return format_html("<textarea name=\"{}\"{}>{}</textarea>", name, flatatt(attrs), value or "")
    if isinstance(widget, forms.Select):
        selected = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value or "")}
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (key, mark_safe(" selected") if str(key) in selected else "", label) for key, label in widget.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(attrs), options)
    value_attr = format_html(" value=\"{}\"", value) if value not in (None, "") else ""
    return format_html("<input type=\"{}\" name=\"{}\"{}{}>", widget.input_type, name, value_attr, flatatt(attrs))


class RateRowForm(FigureRowForm):
    kind = "rate"
    numerator = forms.CharField(label=_("分子"), required=False, max_length=40, show_hidden_initial=True,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 7}))
    denominator = forms.CharField(label=_("分母"), required=False, max_length=40, show_hidden_initial=True,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 7}))


class MilestoneRowForm(FigureRowForm):
    kind = "milestone"
    done = forms.ChoiceField(label=_("是否完成"), choices=DONE_CHOICES, required=False, show_hidden_initial=True)
    done_on = forms.DateField(label=_("完成日期"), required=False, show_hidden_initial=True, widget=DATE_INPUT)
    evidence = forms.CharField(label=_("佐证材料"), required=False, max_length=TEXT_MAX_LENGTH, show_hidden_initial=True,
                               widget=forms.TextInput(attrs={"placeholder": _("网址或文件说明"), "size": 18}))


class ValueRowForm(FigureRowForm):
    kind = "value"
    value = forms.CharField(label=_("数值"), required=False, max_length=40, show_hidden_initial=True,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))


def row_form(kind: str, *args, **kwargs) -> FigureRowForm:
    """The entry row form for an indicator of ``kind`` (rate, milestone, count or amount)."""
    form_class = {"rate": RateRowForm, "milestone": MilestoneRowForm}.get(kind, ValueRowForm)
    return form_class(*args, **kwargs)


def _county_choices() -> list[tuple[str, str]]:
    return [("", _("全部县市"))] + [(c.code, c.name) for c in County.objects.order_by("code")]


def _plan_choices() -> list[tuple[str, str]]:
    return [("", _("全部方案"))] + [(p.code, str(p)) for p in Plan.objects.order_by("order", "code")]


class ReviewFilterForm(forms.Form):
    county = forms.ChoiceField(label=_("县市"), required=False)
    plan = forms.ChoiceField(label=_("实施方案"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=FigureStatus.choices,
                               initial=FigureStatus.SUBMITTED)

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _county_choices()
        self.fields["plan"].choices = _plan_choices()
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, y) for y in years]


class ReviewActionForm(forms.Form):
    """A bulk action of the review queue; the reason is checked by the service (return and reopen need one)."""

    ACTIONS = {"approve": _("审核通过"), "return": _("退回"), "reopen": _("重新开放")}

    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    reason = forms.CharField(label=_("原因"), required=False, max_length=TEXT_MAX_LENGTH)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.fields["ids"].choices = [(v, v) for v in data.getlist("ids") if v.isdigit()]

    def expected_versions(self) -> dict[int, int]:
        """The version each selected figure had when the queue was shown (posted as ``v<id>``)."""
        out = {}
        for pk in self.cleaned_data["ids"]:
            raw = self.data.get(f"v{pk}", "")
            if raw.isdigit():
                out[pk] = int(raw)
        return out


class AuditFilterForm(forms.Form):
    county = forms.ChoiceField(label=_("县市"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"size": 5}))
    indicator = forms.CharField(label=_("指标代码"), required=False, max_length=20)
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE_INPUT)
    q = forms.CharField(label=_("原因包含"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _county_choices()


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("填报截止日期"), widget=DATE_INPUT)


class CountyReasonForm(forms.Form):
    """Reopen a locked year for one county (the reason is required by the service) or end the reopening."""

    county = forms.ModelChoiceField(label=_("县市"), queryset=County.objects.order_by("code"), to_field_name="code")
    reason = forms.CharField(label=_("原因"), required=False, max_length=TEXT_MAX_LENGTH,
                             widget=forms.TextInput(attrs={"size": 40}))
