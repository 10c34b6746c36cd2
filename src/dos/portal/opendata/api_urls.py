from django.urls import path

from dos.portal.opendata import api

app_name = "ckan"

urlpatterns = [
    path("<str:name>", api.action, name="action"),
]
