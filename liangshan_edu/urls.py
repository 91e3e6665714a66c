from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from liangshan_edu.health import healthz

urlpatterns = [
    path("", include("dashboards.urls")),
    path("catalogue/", include("indicators.urls")),
    path("figures/", include("counties.urls")),
    path("figures/upload/", include("counties.upload_urls")),
    path("progress/", include("assessment.urls")),
    path("reports/", include("reports.urls")),
    path("assessments/", include("scoring.urls")),
    path("redblack/", include("redblack.urls")),
    path("supervision/", include("redblack.supervision_urls")),
    path("alarms/", include("alarms.urls")),
    path("api/v1/", include(("liangshan_edu.api_urls", "api"))),  # API names: "api:…"
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]
