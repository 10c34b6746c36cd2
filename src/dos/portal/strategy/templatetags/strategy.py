"""``{% strategy_region_home %}``: the strategy's sections of the region home page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("strategy/_region_home.html", takes_context=True)
def strategy_region_home(context: Any) -> dict[str, Any]:
    """Vision, action fields with project counts and progress, and the key figures."""
    from dos.portal.strategy import queries
    from dos.portal.strategy.models import Strategy
    from dos.portal.strategy.views import _kpi_cards

    return {
        "request": context.get("request"),
        "strategy": Strategy.objects.order_by("pk").first(),
        "summaries": queries.field_summaries(),
        "key_kpis": _kpi_cards(queries.key_kpis()),
    }
