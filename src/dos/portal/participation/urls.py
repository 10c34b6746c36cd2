from django.urls import path

from dos.portal.participation.views import ideas, me, moderation, processes, surveys

app_name = "participation"
urlpatterns = [
    path("", processes.process_list, name="processes"),
    path("aehnlich/", ideas.similar, name="similar"),
    path("moderation/", moderation.queue, name="moderation"),
    path("benachrichtigungen/", me.notifications, name="notifications"),
    path("abmelden/<str:token>/", me.unsubscribe, name="unsubscribe"),
    path("idee/<int:pk>/", ideas.idea_detail, name="idea"),
    path("idee/<int:pk>/unterstuetzen/", ideas.idea_support, name="idea_support"),
    path("idee/<int:pk>/folgen/", ideas.idea_follow, name="idea_follow"),
    path("idee/<int:pk>/kommentieren/", ideas.comment_create, name="comment_create"),
    path("idee/<int:pk>/moderieren/", moderation.idea_moderate, name="idea_moderate"),
    path("idee/<int:pk>/antworten/", moderation.idea_answer, name="idea_answer"),
    path("idee/<int:pk>/unterschriften/", moderation.paper_signatures, name="paper_signatures"),
    path("kommentar/<int:pk>/bearbeiten/", ideas.comment_edit, name="comment_edit"),
    path("kommentar/<int:pk>/moderieren/", moderation.comment_moderate, name="comment_moderate"),
    path("projekt/<int:pk>/folgen/", ideas.project_follow, name="project_follow"),
    path("melden/<str:kind>/<int:pk>/", ideas.report, name="report"),
    path("umfrage/<int:pk>/", surveys.survey_detail, name="survey"),
    path("umfrage/<int:pk>/ergebnisse/", surveys.survey_results, name="survey_results"),
    path("umfrage/<int:pk>/veroeffentlichen/", surveys.survey_publish, name="survey_publish"),
    path("umfrage/<int:pk>/antworten.csv", surveys.survey_csv, name="survey_csv"),
    path("<slug:slug>/", processes.process_detail, name="process"),
    path("<slug:slug>/folgen/", ideas.process_follow, name="process_follow"),
    path("<slug:slug>/idee/neu/", ideas.idea_create, name="idea_create"),
    path("<slug:slug>/ideen.csv", processes.ideas_export, {"fmt": "csv"}, name="ideas_csv"),
    path("<slug:slug>/ideen.json", processes.ideas_export, {"fmt": "json"}, name="ideas_json"),
]
