from django.urls import path

from dos.portal.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("katalog.<str:suffix>", views.catalogue_export, name="export"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("<slug:slug>/aktuell.csv", views.current_csv, name="current_csv"),
    path("<slug:slug>/verlauf.csv", views.history_csv, name="history_csv"),
    path("<slug:slug>/aktuell.geojson", views.current_geojson, name="current_geojson"),
]
