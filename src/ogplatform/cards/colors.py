"""Colour and background parameters as the card API accepts them.

Colours: 6-digit hex with or without ``#`` (``ff8800``, ``#FF8800``). Backgrounds (``bg``) also
take 3-digit hex, a gradient shorthand of 2-6 colours joined by ``-`` or ``,`` (``0f172a-7c3aed``,
drawn at 135 degrees), or CSS-like ``linear-gradient(135deg, #0f172a, #7c3aed 60%)`` and
``radial-gradient(#ffffff, #000000)``.
"""

from __future__ import annotations

import re

from ogplatform.render import LinearGradient, Paint, RadialGradient, Solid, Stop

__all__ = ["BackgroundError", "parse_background", "parse_color"]

_HEX6 = re.compile(r"#?([0-9a-fA-F]{6})")
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_FUNCTION = re.compile(r"(linear|radial)-gradient\((.*)\)", re.S)
_ANGLE = re.compile(r"(-?\d+(?:\.\d+)?)deg")
_STOP = re.compile(r"(#?[0-9a-fA-F]{3,6})(?:\s+(\d+(?:\.\d+)?)%)?")
_DIRECTIONS = {"to top": 0, "to right": 90, "to bottom": 180, "to left": 270,
               "to top right": 45, "to bottom right": 135, "to bottom left": 225,
               "to top left": 315}  # fmt: skip
MAX_LENGTH = 200
MAX_STOPS = 6


class BackgroundError(ValueError):
    """The ``bg`` value is not a colour or gradient we can draw."""


def parse_color(value: str) -> str | None:
    """``#rrggbb`` (lower case) from 6-digit hex with or without ``#``, else None."""
    match = _HEX6.fullmatch(value.strip())
    return f"#{match.group(1).lower()}" if match else None


def _hex(value: str) -> str | None:
    match = _HEX.fullmatch(value.strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def parse_background(value: str) -> Paint:
    """A paint from a ``bg`` value; raise BackgroundError saying what is accepted."""
    text = value.strip()
    if not text or len(text) > MAX_LENGTH:
        raise BackgroundError(f"bg must be 1..{MAX_LENGTH} characters")
    solid = _hex(text)
    if solid:
        return Solid(solid)
    function = _FUNCTION.fullmatch(text.lower())
    if function:
        return _gradient_function(function.group(1), function.group(2))
    parts = [p for p in re.split(r"[-,]", text) if p.strip()]
    colours = [_hex(p) for p in parts]
    if 2 <= len(colours) <= MAX_STOPS and all(colours):
        return LinearGradient(135, _even_stops([c for c in colours if c]))
    raise BackgroundError(
        "bg must be a hex colour (ff8800), a gradient shorthand (0f172a-7c3aed) or "
        "linear-gradient(135deg, #0f172a, #7c3aed) / radial-gradient(#ffffff, #000000)"
    )


def _gradient_function(kind: str, inside: str) -> Paint:
    args = [a.strip() for a in inside.split(",") if a.strip()]
    angle = 180.0
    if kind == "linear" and args:
        first = args[0]
        if (match := _ANGLE.fullmatch(first)) is not None:
            angle, args = float(match.group(1)) % 360, args[1:]
        elif first in _DIRECTIONS:
            angle, args = float(_DIRECTIONS[first]), args[1:]
    if not 2 <= len(args) <= MAX_STOPS:
        raise BackgroundError(f"a gradient needs 2..{MAX_STOPS} colour stops")
    colours: list[str] = []
    offsets: list[float | None] = []
    for arg in args:
        match = _STOP.fullmatch(arg)
        colour = _hex(match.group(1)) if match else None
        if match is None or colour is None:
            raise BackgroundError(f"gradient stop {arg[:40]!r} is not a hex colour [percent]")
        colours.append(colour)
        offsets.append(float(match.group(2)) / 100 if match.group(2) else None)
    stops = _even_stops(colours, offsets)
    if kind == "radial":
        return RadialGradient(0.5, 0.5, 0.75, stops)
    return LinearGradient(angle, stops)


def _even_stops(colours: list[str], offsets: list[float | None] | None = None) -> tuple[Stop, ...]:
    given = offsets or [None] * len(colours)
    last = len(colours) - 1
    placed = [g if g is not None else i / last for i, g in enumerate(given)]
    clamped: list[float] = []
    for offset in placed:  # CSS: a stop never comes before the one ahead of it
        clamped.append(max(min(1.0, max(0.0, offset)), clamped[-1] if clamped else 0.0))
    return tuple(Stop(round(o, 4), c) for o, c in zip(clamped, colours, strict=True))
