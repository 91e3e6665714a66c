from django.urls import path

from alarms import views

urlpatterns = [
    path("", views.alarm_centre, name="alarm-centre"),
    path("<int:pk>/", views.alarm_detail, name="alarm-detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="alarm-acknowledge"),
    path("silences/", views.silences, name="alarm-silences"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/unread/", views.unread, name="notifications-unread"),
    path("rhythm/", views.rhythm_page, name="rhythm"),
    path("rhythm/run/", views.rhythm_run, name="rhythm-run"),
    path("rhythm/publications/<int:pk>/", views.publication, name="publication"),
    path("rhythm/dispatches/<int:pk>/", views.dispatch, name="dispatch"),
]
