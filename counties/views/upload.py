"""Pages of the spreadsheet round-trip: download a county's template, upload a filled one.

The rules live in ``counties.spreadsheet`` (and, through it, ``counties.services``); these views only check
who may reach a county, and render the report.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from counties.errors import Invalid
from counties.services import check_year, year_is_open
from counties.spreadsheet import XLSX_CONTENT_TYPE, build_template, readable_county, template_filename, upload_file
from liangshan_edu.calendar import FIRST_YEAR
from liangshan_edu.roles import CLERK, county_of, is_clerk_of
from liangshan_edu.views import role_required



class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("填好的模板"), help_text=_("Excel（.xlsx）或 CSV（UTF-8 / GBK）文件，不超过5MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _valid_year(year: int) -> None:
    try:
        check_year(year)
    except Invalid:
        raise Http404


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@role_required()
def figure_template(request: HttpRequest, county_code: str, year: int) -> HttpResponse:
    """The .xlsx template of a county and year. A clerk gets only their own county's (another: 404);
    officials and auditors may download any county's, as a read-only export."""
    county = readable_county(request.user, county_code)
    if county is None:
        raise Http404
    _valid_year(year)
    read_only = not is_clerk_of(request.user, county)
    data = build_template(county, year, user=request.user, read_only=read_only)
    return download(data, template_filename(county, year, "xlsx", read_only=read_only), XLSX_CONTENT_TYPE)


@role_required(CLERK)
def figure_upload(request: HttpRequest, year: int) -> HttpResponse:
    """Upload a filled template for the clerk's own county: the report of errors, or of what changed."""
    county = county_of(request.user)
    if county is None:
        raise PermissionDenied
    _valid_year(year)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            report = upload_file(request.user, county, year, uploaded, uploaded.name)
            status = report.status
            if report.ok:
                form = UploadForm()
        else:
            status = 400
    context = {
        "county": county,
        "year": year,
        "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1),
        "year_open": year_is_open(year, county),
        "form": form,
        "report": report,
    }
    return render(request, "counties/upload.html", context, status=status)
