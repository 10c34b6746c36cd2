"""Routes of the events app, for the region and per city.

One module holds both (``/veranstaltungen/…`` and ``/<city>/veranstaltungen/…``) so that the
names live in one namespace; the city routes set ``request.city`` through the ``city`` argument.
"""

from django.urls import include, path

from dos.portal.events import views

app_name = "events"

event_routes = [
    path("", views.event_detail, name="detail"),
    path("anmelden/", views.event_register, name="register"),
    path("abmelden/", views.event_cancel, name="cancel"),
    path("kalender.ics", views.event_ics, name="ics"),
    path("teilnehmende/", views.attendee_list, name="attendees"),
    path("teilnehmende.csv", views.attendee_csv, name="attendees_csv"),
]

urlpatterns = [
    path("veranstaltungen/", views.event_list, name="list"),
    path("veranstaltungen/kalender.ics", views.feed, name="feed"),
    path(
        "veranstaltungen/handlungsfelder/<slug:slug>/kalender.ics",
        views.action_field_feed,
        name="action_field_feed",
    ),
    path("veranstaltungen/abmelden/<str:token>/", views.cancel_link, name="cancel_link"),
    path("veranstaltungen/<slug:slug>/", include(event_routes)),
    path("<slug:city>/veranstaltungen/", views.event_list, name="list"),
    path("<slug:city>/veranstaltungen/kalender.ics", views.feed, name="feed"),
    path("<slug:city>/veranstaltungen/orte/<slug:slug>/", views.venue_detail, name="venue"),
    path(
        "<slug:city>/veranstaltungen/orte/<slug:slug>/kalender.ics",
        views.venue_feed,
        name="venue_feed",
    ),
    path("<slug:city>/veranstaltungen/<slug:slug>/", include(event_routes)),
]
