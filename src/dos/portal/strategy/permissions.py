"""Named permissions of the strategy app (see dos.portal.accounts.permissions).

Editors maintain the projects of their city and the joint projects their city takes part in;
objects of the whole region (action fields, vision, region-wide projects) need a region-wide
role. Region admins hold every permission.
"""

from dos.portal.accounts.roles import CITY_ADMIN, EDITOR

_EDITORS = {EDITOR, CITY_ADMIN}

PERMISSIONS = {
    f"strategy.{action}_{model}": _EDITORS
    for model in (
        "strategy",
        "actionfield",
        "project",
        "projectimage",
        "projectlink",
        "milestone",
        "kpi",
        "kpivalue",
        "evaluationround",
        "evaluationcriterion",
        "evaluation",
        "evaluationscore",
        "sustainabledevelopmentgoal",
    )
    for action in ("view", "add", "change", "delete")
} | {
    "strategy.view_changerecord": _EDITORS,
    "strategy.import_strategy": set(),
}
