"""The project list of one city, at /<city>/projekte/ (see dos.portal.urls)."""

from django.urls import path

from dos.portal.strategy import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
]
