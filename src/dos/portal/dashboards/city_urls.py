from django.urls import path

from dos.portal.dashboards import views

urlpatterns = [
    path("", views.city_map, name="map"),
    path("analysen/", views.analyses_page, name="analyses"),
    path("station/<str:entity_id>/", views.station, name="station"),
    path("station/<str:entity_id>/werte.csv", views.station_csv, name="station_csv"),
]
