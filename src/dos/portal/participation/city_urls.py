"""``/<city>/beteiligung/``: the processes of one city (and those of the whole region)."""

from django.urls import path

from dos.portal.participation.views import processes

app_name = "participation_city"
urlpatterns = [
    path("", processes.city_process_list, name="processes"),
]
