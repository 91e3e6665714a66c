from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedblackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "redblack"
    verbose_name = _("红黑榜与督导")

    def ready(self) -> None:
        from redblack import alarm_source

        alarm_source.register()  # supervision replies due / overdue raise alarms (alarms' clock asks)
        from redblack import bulletin_section

        bulletin_section.register()  # the lists in the monthly bulletin (alarms' rhythm asks)
        from redblack import alarm_action

        alarm_action.register()  # 一键督导 on the alarm centre and an alarm's page
