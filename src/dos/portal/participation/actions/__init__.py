"""The only code that changes participation data. Views, the CLI and the demo call these.

Each action checks first: a named permission (staff) or a verified account and the current
phase (citizens). Refusals raise ``PermissionDenied``; bad input and wrong states raise
``ValidationError`` with a message for the user, and nothing is changed.
"""

from dos.portal.participation.actions.comments import comment_create, comment_edit
from dos.portal.participation.actions.ideas import (
    idea_answer,
    idea_submit,
    idea_support,
    idea_unsupport,
    ideas_tick,
    paper_signatures_add,
)
from dos.portal.participation.actions.moderation import (
    comment_hide,
    comment_restore,
    idea_hide,
    idea_restore,
    report_create,
)
from dos.portal.participation.actions.notify import (
    digests_send,
    follow_set,
    notification_settings_update,
    notifications_mark_read,
    unsubscribe,
)
from dos.portal.participation.actions.surveys import survey_publish_results, survey_respond

__all__ = [
    "comment_create",
    "comment_edit",
    "comment_hide",
    "comment_restore",
    "digests_send",
    "follow_set",
    "idea_answer",
    "idea_hide",
    "idea_restore",
    "idea_submit",
    "idea_support",
    "idea_unsupport",
    "ideas_tick",
    "notification_settings_update",
    "notifications_mark_read",
    "paper_signatures_add",
    "report_create",
    "survey_publish_results",
    "survey_respond",
    "unsubscribe",
]
