"""What the participation app holds about a user, for the data export and the deletion.

Ideas and comments are public contributions: they stay after deletion and show “deleted
user” (the account is anonymised by the accounts app). Personal traces that are not public
contributions (supports, follows, notifications, reports, non-anonymous survey answers) go.
"""

from __future__ import annotations

from typing import Any

from dos.portal.participation.models import (
    Comment,
    Follow,
    Idea,
    Notification,
    NotificationSettings,
    Report,
    Support,
    SurveyResponse,
)


def export(user: Any) -> dict[str, Any]:
    return {
        "ideas": [
            {
                "id": i.pk,
                "process": i.process.slug,
                "title": i.title,
                "description": i.description,
                "status": i.status,
                "latitude": i.latitude,
                "longitude": i.longitude,
                "created_at": i.created_at.isoformat(),
            }
            for i in Idea.objects.filter(author=user).select_related("process")
        ],
        "comments": [
            {"idea": c.idea_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=user)
        ],
        "supports": [
            {"idea": s.idea_id, "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user)
        ],
        "follows": [
            {"idea": f.idea_id, "process": f.process_id} for f in Follow.objects.filter(user=user)
        ],
        "reports": [
            {"idea": r.idea_id, "comment": r.comment_id, "reason": r.reason}
            for r in Report.objects.filter(reporter=user)
        ],
        "notifications": [
            {"text": n.text, "created_at": n.created_at.isoformat()}
            for n in Notification.objects.filter(user=user)
        ],
        "survey_responses": [
            {
                "survey": r.survey_id,
                "created_at": r.created_at.isoformat(),
                "answers": {a.question.text: a.value for a in r.answers.select_related("question")},
            }
            for r in SurveyResponse.objects.filter(user=user)
        ],
    }


def erase(user: Any) -> None:
    # Supports are withdrawn but the idea's count of what happened stays honest: the count
    # already reached is kept on the idea (support_count), so a referral is not undone.
    Support.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).update(reporter=None)
    SurveyResponse.objects.filter(user=user).update(user=None)
