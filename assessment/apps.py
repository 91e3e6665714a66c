from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("进度与考核")

    def ready(self) -> None:
        from assessment import receivers  # noqa: F401 — connects the receivers
