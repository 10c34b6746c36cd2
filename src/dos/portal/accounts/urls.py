from django.urls import path

from dos.portal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("export/", views.export, name="export"),
    path("loeschen/", views.delete, name="delete"),
]
