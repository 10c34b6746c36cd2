"""Routes of the strategy pages (region level under /strategie/; see dos.portal.urls)."""

from django.urls import path

from dos.portal.strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("handlungsfelder/<slug:slug>/", views.action_field, name="action_field"),
    path("projekte/", views.project_list, name="project_list"),
    path("projekte/<slug:slug>/", views.project_detail, name="project"),
    path("projekte/<slug:slug>/verlauf/", views.project_history, name="project_history"),
    path("projekte/<slug:slug>/steckbrief.pdf", views.project_pdf, name="project_pdf"),
    path("strategie.pdf", views.strategy_pdf, name="strategy_pdf"),
    path("fahrplan/", views.roadmap, name="roadmap"),
    path("portfolio/", views.portfolio, name="portfolio"),
]
