from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The pages officials, clerks and auditors open every day: home per role, the prefecture dashboard with its
    map and heat map, county pages and indicator pages. Reads progress and the final evaluation; writes nothing."""

    name = "dashboards"
    verbose_name = _("工作台")
