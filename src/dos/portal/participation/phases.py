"""The phases of a participation process and what citizens can do in each.

The UI and the permission checks in :mod:`actions` ask :func:`allows` rather than naming
phases themselves, so a change here changes both.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INFORMATION = "information"
IDEA_COLLECTION = "idea_collection"
SUPPORT = "support"
EVALUATION = "evaluation"
IMPLEMENTATION = "implementation"

PHASE_CHOICES = [
    (INFORMATION, _("Information")),
    (IDEA_COLLECTION, _("Idea collection")),
    (SUPPORT, _("Support")),
    (EVALUATION, _("Evaluation")),
    (IMPLEMENTATION, _("Implementation")),
]

SUBMIT = "submit"
SUPPORT_IDEA = "support"
COMMENT = "comment"
SURVEY = "survey"

ALLOWED: dict[str, frozenset[str]] = {
    INFORMATION: frozenset({SURVEY}),
    IDEA_COLLECTION: frozenset({SUBMIT, SUPPORT_IDEA, COMMENT, SURVEY}),
    SUPPORT: frozenset({SUPPORT_IDEA, COMMENT, SURVEY}),
    EVALUATION: frozenset({COMMENT}),
    IMPLEMENTATION: frozenset({COMMENT}),
}

DESCRIPTIONS = {
    INFORMATION: _("Find out about the topic and answer surveys."),
    IDEA_COLLECTION: _("Submit ideas, support and discuss them."),
    SUPPORT: _("Support and discuss the submitted ideas."),
    EVALUATION: _("The city evaluates the ideas; you can still discuss them."),
    IMPLEMENTATION: _("Accepted ideas are being implemented; follow their progress."),
}


def allows(phase: str | None, what: str) -> bool:
    """Whether citizens may do ``what`` (submit, support, comment, survey) in ``phase``."""
    return phase is not None and what in ALLOWED.get(phase, frozenset())
