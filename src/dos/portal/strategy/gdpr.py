"""What the strategy holds about a user: the changes they made as an editor."""

from __future__ import annotations

from typing import Any


def export(user: Any) -> dict[str, Any]:
    from dos.portal.strategy.models import ChangeRecord

    return {
        "strategy_changes": [
            {"at": r.at.isoformat(), "object": r.subject_label, "action": r.action}
            for r in ChangeRecord.objects.filter(actor=user).order_by("at")
        ]
    }


def erase(user: Any) -> None:
    """Keep the history of the strategy, but no longer say who made the changes."""
    from django.utils.translation import gettext

    from dos.portal.strategy.models import ChangeRecord

    ChangeRecord.objects.filter(actor=user).update(actor=None, actor_label=gettext("deleted user"))
