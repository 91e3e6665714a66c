from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureStatus(models.TextChoices):
    """The workflow of a figure (DESIGN §3): draft → submitted → approved, or returned → edited → submitted."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")
