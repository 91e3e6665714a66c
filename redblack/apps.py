from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedblackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "redblack"
    verbose_name = _("红黑榜与督导")
