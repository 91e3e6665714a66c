from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = _("年度目标考核")

    def ready(self) -> None:
        from scoring import receivers  # noqa: F401 — connects the receivers
        from scoring import redblack_rules  # noqa: F401 — registers the red/black rules by assessment score
        from scoring import ranking_measure

        ranking_measure.register()  # the quarterly ranking by the assessment score (alarms' rhythm asks)
