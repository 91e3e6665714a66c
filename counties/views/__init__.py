"""Pages of the figure workflow (DESIGN §2, §3): entry (填报), review (审核), history and audit log (留痕),
deadlines, completeness and locking (填报进度).

Every rule is in ``counties.services`` (and ``counties.validation``); the pages collect input, call the
services and show what comes back. Every query of figures goes through ``Figure.objects.visible_to`` or
``editable_by``; every page through ``role_required``.

Modules by page family: ``figure_entry`` (填报: the entry form and a county's figures read-only), ``review``
(审核: the review queue), ``history`` (留痕: a figure's history and the audit log), ``reporting_year`` (填报进度:
completeness, deadline, locking and reopenings of a year), ``upload`` (the spreadsheet template and upload);
``common`` holds what several of them show (target and value texts, years, the navigation).
"""
from counties.views.figure_entry import entry, entry_county
from counties.views.history import audit_log, figure_history
from counties.views.reporting_year import reporting_status
from counties.views.review import review_queue
from counties.views.upload import figure_template, figure_upload

__all__ = ["audit_log", "entry", "entry_county", "figure_history", "figure_template", "figure_upload",
           "reporting_status", "review_queue"]
