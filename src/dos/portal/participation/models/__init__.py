"""Models of the participation app, one module per concern."""

from dos.portal.participation.models.comment import Comment
from dos.portal.participation.models.follow import Follow, Notification, NotificationSettings
from dos.portal.participation.models.idea import (
    District,
    Idea,
    IdeaStatus,
    PaperSignature,
    StatusChange,
    Support,
)
from dos.portal.participation.models.moderation import ModerationLogEntry, Report
from dos.portal.participation.models.process import CityRules, Phase, Process
from dos.portal.participation.models.survey import (
    Answer,
    InvitationCode,
    Question,
    Survey,
    SurveyResponse,
)

__all__ = [
    "Answer",
    "CityRules",
    "Comment",
    "District",
    "Follow",
    "Idea",
    "IdeaStatus",
    "InvitationCode",
    "ModerationLogEntry",
    "Notification",
    "NotificationSettings",
    "PaperSignature",
    "Phase",
    "Process",
    "Question",
    "Report",
    "StatusChange",
    "Support",
    "Survey",
    "SurveyResponse",
]
