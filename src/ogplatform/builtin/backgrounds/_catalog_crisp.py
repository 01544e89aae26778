"""Catalog entries built on line work and shapes: technology, abstract, geometric."""

from __future__ import annotations

from ogplatform.builtin.backgrounds._aurora import Silk
from ogplatform.builtin.backgrounds._background import GeneratedBackground as Bg
from ogplatform.builtin.backgrounds._contours import Contours, Rings
from ogplatform.builtin.backgrounds._light import Glow, Light, night, paper
from ogplatform.builtin.backgrounds._patterns import Dots, Fade, Grid, Horizon, Overlay, Stripes
from ogplatform.builtin.backgrounds._shapes import Bokeh, LowPoly

__all__ = ["abstract", "geometric", "technology"]

technology = [
    Bg(
        "grid-midnight",
        "Midnight Grid",
        "technology",
        ["grid", "blue", "dark", "developer"],
        Overlay(
            night("#04060d", "#05070f", "#1d4ed8", 0.35),
            [(Grid(0.055), "#ffffff", 0.1, Fade((0.5, 0.05), (0.55, 0.75)))],
        ),
    ),
    Bg(
        "grid-paper",
        "Graph Paper",
        "technology",
        ["grid", "white", "light", "minimal"],
        Overlay(
            paper("#fbfbfa", "#f3f4f1"),
            [(Grid(0.05, major=4, minor_alpha=0.5), "#1f2937", 0.12, None)],
        ),
    ),
    Bg(
        "dots-graphite",
        "Graphite Dots",
        "technology",
        ["dots", "grey", "dark", "minimal"],
        Overlay(
            night("#0b0b0d", "#080809", "#3f3f46", 0.4),
            [
                (
                    Dots(0.035, 1.6),
                    "#ffffff",
                    0.3,
                    Fade((0.5, 0.5), (0.45, 0.4), invert=True, floor=0.25),
                )
            ],
        ),
    ),
    Bg(
        "dots-paper",
        "Dotted Paper",
        "technology",
        ["dots", "white", "light", "minimal"],
        Overlay(
            Glow(
                "#fbfbfa", "#efefec", [Light("#ffffff", 0.3, 0.0, 0.5, 0.3)], seed=1, vignette=0.15
            ),
            [(Dots(0.035, 1.7), "#52525b", 0.3, None)],
        ),
    ),
    Bg(
        "blueprint-classic",
        "Blueprint",
        "technology",
        ["blue", "blueprint", "grid", "dark"],
        Overlay(
            Glow("#0b3a7e", "#082c61", [Light("#1d5fb8", 0.3, 0.2, 0.6, 0.25)], seed=5),
            [(Grid(0.022, major=5, minor_alpha=0.35), "#dbeafe", 0.28, None)],
        ),
    ),
    Bg(
        "horizon-neon",
        "Neon Horizon",
        "technology",
        ["purple", "grid", "retro", "dark"],
        Overlay(
            Glow(
                "#05030d",
                "#0b0620",
                [
                    Light("#6d28d9", 0.5, 0.64, 0.3, 0.22, stretch=2.6),
                    Light("#db2777", 0.5, 0.64, 0.12, 0.16, stretch=4),
                ],
                seed=6,
                vignette=0.2,
            ),
            [(Horizon(0.62), "#a78bfa", 0.55, None)],
        ),
    ),
    Bg(
        "halftone-cobalt",
        "Cobalt Halftone",
        "technology",
        ["dots", "blue", "halftone", "dark"],
        Overlay(
            night("#050a1a", "#040714", "#1e40af", 0.4),
            [(Dots(0.03, grow=(1.0, 1.0)), "#3b82f6", 0.55, None)],
        ),
    ),
    Bg(
        "orbits-indigo",
        "Orbits",
        "technology",
        ["circles", "indigo", "space", "dark"],
        Overlay(
            Glow("#05050d", "#06061a", [Light("#4338ca", 1.0, 0.5, 0.3, 0.5)], seed=7),
            [(Rings((1.0, 0.5), inner=0.12, step=0.08, fade=1.1), "#a5b4fc", 0.35, None)],
        ),
    ),
]

abstract = [
    Bg(
        "bokeh-gold",
        "Golden Bokeh",
        "abstract",
        ["gold", "lights", "warm", "dark"],
        Bokeh(("#0d0906", "#1a0f08"), ["#f59e0b", "#fbbf24", "#f97316"], seed=4),
    ),
    Bg(
        "bokeh-violet",
        "Violet Bokeh",
        "abstract",
        ["purple", "lights", "night", "dark"],
        Bokeh(("#0a0614", "#140a26"), ["#a855f7", "#ec4899", "#6366f1"], seed=9),
    ),
    Bg(
        "bokeh-teal",
        "Teal Bokeh",
        "abstract",
        ["teal", "lights", "cool", "dark"],
        Bokeh(("#03100f", "#061a1c"), ["#14b8a6", "#22d3ee", "#38bdf8"], seed=12),
    ),
    Bg(
        "silk-midnight",
        "Midnight Silk",
        "abstract",
        ["blue", "silk", "dark", "elegant"],
        Silk("#0b1224", "#2f4a8a", "#03060f", seed=4),
    ),
    Bg(
        "silk-champagne",
        "Champagne Silk",
        "abstract",
        ["cream", "gold", "light", "elegant"],
        Silk("#f3e9dc", "#fffaf2", "#d9c3a5", seed=9),
    ),
    Bg(
        "flow-indigo",
        "Indigo Flow",
        "abstract",
        ["lines", "indigo", "flow", "dark"],
        Overlay(
            night("#06061a", "#04040f", "#312e81", 0.45),
            [(Contours(seed=5, levels=34, terrain=False, major=0), "#818cf8", 0.3, None)],
        ),
    ),
    Bg(
        "flow-coral",
        "Coral Flow",
        "abstract",
        ["lines", "coral", "flow", "light"],
        Overlay(
            paper("#fff4ef", "#fde8df"),
            [(Contours(seed=8, levels=30, terrain=False, major=0), "#f97362", 0.4, None)],
        ),
    ),
]

geometric = [
    Bg(
        "lowpoly-midnight",
        "Midnight Facets",
        "geometric",
        ["triangles", "blue", "dark"],
        LowPoly(["#0f172a", "#1e1b4b", "#312e81"], seed=3),
    ),
    Bg(
        "lowpoly-glacier",
        "Glacier Facets",
        "geometric",
        ["triangles", "ice", "light"],
        LowPoly(["#f0f9ff", "#dbeafe", "#c7d2fe"], seed=5),
    ),
    Bg(
        "stripes-graphite",
        "Graphite Stripes",
        "geometric",
        ["stripes", "grey", "dark"],
        Overlay(
            night("#0e0e11", "#09090b", "#3f3f46", 0.3), [(Stripes(0.035), "#ffffff", 0.035, None)]
        ),
    ),
    Bg(
        "stripes-sand",
        "Sand Stripes",
        "geometric",
        ["stripes", "beige", "light", "warm"],
        Overlay(paper("#f5efe4", "#ede3d1"), [(Stripes(0.04, angle=0.785), "#b08a5a", 0.08, None)]),
    ),
    Bg(
        "rings-ripple",
        "Ripple",
        "geometric",
        ["circles", "teal", "calm", "dark"],
        Overlay(
            night("#031417", "#020c0e", "#0f766e", 0.4),
            [(Rings((0.0, 1.0), inner=0.05, step=0.045, fade=1.6), "#5eead4", 0.25, None)],
        ),
    ),
]
