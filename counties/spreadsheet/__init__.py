"""The spreadsheet round-trip of a county's figures (填报模板).

A county downloads an .xlsx template for a year — the indicators it reports, units, the target that applies
to it, last year's approved value, its current figures, data validation in the cells — fills it in Excel or
WPS and uploads it (or a CSV with the same columns, through the API).

The upload is all-or-nothing. Every row is checked first, through the same checks and workflow rules as the
entry form (``counties.validation.check_values`` and the rules of ``counties.services``); any error rejects
the whole file with a per-row, per-cell report and changes nothing. A good file saves drafts through
``services.save_draft`` inside one transaction. A row equal to the stored figure is "unchanged", so the same
file uploaded twice changes nothing the second time.

Modules: ``layout`` (the file format: sheets, columns, headers), ``template`` (what a county's template
holds, and its CSV), ``workbook`` (the .xlsx template), ``parse`` (reading an uploaded file safely),
``cells`` (reading one cell's value), ``report`` (the upload report), ``apply`` (checking and saving the rows).
"""
from counties.spreadsheet.apply import apply_upload, upload_file
from counties.spreadsheet.layout import CSV_CONTENT_TYPE, INSTRUCTIONS_SHEET, META_SHEET, XLSX_CONTENT_TYPE
from counties.spreadsheet.parse import parse_upload
from counties.spreadsheet.template import build_template_csv, readable_county, template_filename
from counties.spreadsheet.workbook import build_template

__all__ = [
    "CSV_CONTENT_TYPE", "INSTRUCTIONS_SHEET", "META_SHEET", "XLSX_CONTENT_TYPE", "apply_upload", "build_template",
    "build_template_csv", "parse_upload", "readable_county", "template_filename", "upload_file",
]
