"""Colour scales readable for colour-blind people: viridis for numbers, Okabe–Ito for states."""

from __future__ import annotations

from typing import Any

#: Viridis at nine even stops (perceptually uniform, safe for the common colour deficiencies).
VIRIDIS = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
]
#: Okabe–Ito colours for parking states.
STATES = {"free": "#0072B2", "occupied": "#E69F00"}
UNKNOWN = "#9a9a9a"


def viridis(fraction: float) -> str:
    """The viridis colour at ``fraction`` (clamped to 0…1), interpolated between stops."""
    f = max(0.0, min(1.0, fraction)) * (len(VIRIDIS) - 1)
    i = min(int(f), len(VIRIDIS) - 2)
    t = f - i
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def colour(value: Any, low: float, high: float) -> str:
    """The colour of a value on a scale from ``low`` to ``high`` (states by name)."""
    if isinstance(value, str):
        return STATES.get(value, UNKNOWN)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return UNKNOWN
    return viridis((value - low) / (high - low) if high > low else 0.5)


def legend_stops(low: float, high: float, steps: int = 5) -> list[tuple[float, str]]:
    """Values and colours for a legend with ``steps`` entries."""
    return [(low + (high - low) * i / (steps - 1), viridis(i / (steps - 1))) for i in range(steps)]


def _luminance(fill: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2.1)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink(fill: str) -> str:
    """Black or white text on ``fill``, whichever contrasts more (always ≥ 4.5:1 on viridis)."""
    light = _luminance(fill)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"
