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
from dos.portal.strategy.models.evaluations import (
    Evaluation,
    EvaluationCriterion,
    EvaluationRound,
    EvaluationScore,
    Recommendation,
)
from dos.portal.strategy.models.history import ChangeRecord
from dos.portal.strategy.models.kpis import (
    Aggregation,
    Direction,
    Kind,
    Kpi,
    KpiValue,
    Period,
    Source,
)
from dos.portal.strategy.models.milestones import Milestone
from dos.portal.strategy.models.vision import Strategy

__all__ = [
    "ActionField",
    "Aggregation",
    "ChangeRecord",
    "Direction",
    "Evaluation",
    "EvaluationCriterion",
    "EvaluationRound",
    "EvaluationScore",
    "Kind",
    "Kpi",
    "KpiValue",
    "Milestone",
    "Period",
    "Phase",
    "Project",
    "ProjectImage",
    "ProjectLink",
    "Recommendation",
    "Source",
    "Status",
    "Strategy",
    "SustainableDevelopmentGoal",
]
