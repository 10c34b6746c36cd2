"""Strategy models, one module per concept; import them from here."""

from dos.portal.strategy.models.core import (
    ActionField,
    Phase,
    Project,
    ProjectImage,
    ProjectLink,
    Status,
    SustainableDevelopmentGoal,
)

__all__ = [
    "ActionField",
    "Phase",
    "Project",
    "ProjectImage",
    "ProjectLink",
    "Status",
    "SustainableDevelopmentGoal",
]
