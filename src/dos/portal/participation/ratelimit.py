"""Rate limits per user and per IP address, counted in Django's cache."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

#: action → (allowed count, window in seconds) per user and per IP address.
LIMITS: dict[str, tuple[int, int]] = {
    "idea": (5, 3600),
    "comment": (20, 600),
    "support": (60, 600),
    "report": (10, 3600),
    "survey": (10, 3600),
}
IP_FACTOR = 5  # several people may share one address (a school, a library)


def _hit(key: str, limit: int, window: int) -> bool:
    if cache.add(key, 1, window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return True
    return count <= limit


def allow(request: HttpRequest, action: str) -> bool:
    """Count one ``action`` for the request's user and IP; False once a limit is exceeded."""
    limit, window = LIMITS[action]
    ip = request.META.get("REMOTE_ADDR", "unknown")
    ok_ip = _hit(f"dos-rl:{action}:ip:{ip}", limit * IP_FACTOR, window)
    user = getattr(request, "user", None)
    ok_user = True
    if user is not None and user.is_authenticated:
        ok_user = _hit(f"dos-rl:{action}:u:{user.pk}", limit, window)
    return ok_ip and ok_user
