from django.urls import path

from dos.portal.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.region_map, name="map"),
    path("notify/", views.notify, name="notify"),
    path("<slug:slug>/latest.json", views.latest, name="latest"),
    path("<slug:slug>/live/", views.live_stream, name="live"),
]
