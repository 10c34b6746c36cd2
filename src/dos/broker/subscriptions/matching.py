"""Which subscriptions an entity change matches (§5.8.x), placeholder until written."""

from typing import Any


def matching_notifications(session: Any, tenant: str, old: Any, new: Any) -> list[tuple[Any, ...]]:
    return []
