from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alarms"
    verbose_name = _("智能报警")

    def ready(self) -> None:
        from alarms import receivers  # noqa: F401 — connects the receivers
