from django.urls import path

from dos.portal.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.region_map, name="map"),
    path("<slug:slug>/latest.json", views.latest, name="latest"),
]
