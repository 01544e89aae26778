"""Catalog entries drawn with smooth light and colour: gradients, textures, nature."""

from __future__ import annotations

from ogplatform.builtin.backgrounds._aurora import Aurora
from ogplatform.builtin.backgrounds._background import GeneratedBackground as Bg
from ogplatform.builtin.backgrounds._contours import Contours
from ogplatform.builtin.backgrounds._light import (
    Conic,
    Glow,
    Light,
    Linear,
    Mesh,
    Planet,
    night,
    paper,
)
from ogplatform.builtin.backgrounds._patterns import Overlay
from ogplatform.builtin.backgrounds._shapes import Waves

__all__ = ["gradients", "nature", "textures"]

gradients = [
    Bg(
        "mesh-midnight",
        "Midnight Mesh",
        "gradient",
        ["blue", "purple", "dark", "calm"],
        Mesh("#0b1026", ["#3b1d8f", "#1e40af", "#7e22ce", "#0e7490"], seed=11),
    ),
    Bg(
        "mesh-sunset",
        "Sunset Mesh",
        "gradient",
        ["pink", "orange", "warm", "dark"],
        Mesh("#1a0b1e", ["#9d174d", "#c2410c", "#6d28d9", "#be123c"], seed=5),
    ),
    Bg(
        "mesh-ocean",
        "Ocean Mesh",
        "gradient",
        ["teal", "blue", "dark", "calm"],
        Mesh("#041a26", ["#0e7490", "#1d4ed8", "#0f766e", "#155e75"], seed=3),
    ),
    Bg(
        "mesh-ember",
        "Ember Mesh",
        "gradient",
        ["orange", "red", "warm", "dark"],
        Mesh("#140806", ["#9a3412", "#b45309", "#7f1d1d", "#c2410c"], seed=12),
    ),
    Bg(
        "mesh-orchid",
        "Orchid Mesh",
        "gradient",
        ["magenta", "purple", "vivid", "dark"],
        Mesh("#12061c", ["#a21caf", "#6d28d9", "#db2777", "#4c1d95"], seed=14),
    ),
    Bg(
        "mesh-peach",
        "Peach Mesh",
        "gradient",
        ["peach", "pink", "light", "pastel"],
        Mesh("#fff1e6", ["#fdba74", "#f9a8d4", "#fcd34d", "#fda4af"], seed=8),
    ),
    Bg(
        "mesh-lavender",
        "Lavender Mesh",
        "gradient",
        ["lavender", "purple", "light", "pastel"],
        Mesh("#f5f3ff", ["#c4b5fd", "#f0abfc", "#a5b4fc", "#fbcfe8"], seed=4),
    ),
    Bg(
        "mesh-mint",
        "Mint Mesh",
        "gradient",
        ["mint", "green", "sky", "light", "fresh"],
        Mesh("#effdf7", ["#86efac", "#93c5fd", "#a7f3d0", "#67e8f9"], seed=6),
    ),
    Bg(
        "glow-indigo",
        "Indigo Spotlight",
        "gradient",
        ["indigo", "dark", "spotlight", "minimal"],
        Glow(
            "#04050c",
            "#07081a",
            [
                Light("#4f46e5", 0.5, -0.12, 0.42, 0.4, stretch=1.8),
                Light("#7c3aed", 0.05, 1.1, 0.3, 0.15),
            ],
            seed=2,
        ),
    ),
    Bg(
        "glow-emerald",
        "Emerald Spotlight",
        "gradient",
        ["green", "dark", "spotlight", "minimal"],
        Glow(
            "#020806",
            "#03100c",
            [
                Light("#10b981", 0.3, -0.15, 0.45, 0.35, stretch=1.6),
                Light("#0ea5e9", 1.0, 1.05, 0.3, 0.12),
            ],
            seed=3,
        ),
    ),
    Bg(
        "planet-eclipse",
        "Eclipse",
        "gradient",
        ["orange", "black", "space", "dramatic", "dark"],
        Planet(("#030304", "#0a0605"), "#ffd3a1", "#f0642a"),
    ),
    Bg(
        "planet-nebula",
        "Blue Horizon",
        "gradient",
        ["blue", "space", "horizon", "dark"],
        Planet(("#02030a", "#050b1c"), "#cfe3ff", "#2f6fed", top=0.78, radius=1.8),
    ),
    Bg(
        "conic-prism",
        "Prism Sweep",
        "gradient",
        ["rainbow", "dark", "vivid", "conic"],
        Conic(
            "#07070d",
            ["#6366f1", "#ec4899", "#f59e0b", "#10b981", "#06b6d4"],
            seed=1,
            centre=(0.5, 1.12),
            reach=0.55,
        ),
    ),
    Bg(
        "conic-dusk",
        "Dusk Fan",
        "gradient",
        ["purple", "pink", "orange", "dark", "conic"],
        Conic(
            "#0c0614",
            ["#4c1d95", "#be185d", "#ea580c", "#facc15"],
            seed=2,
            centre=(-0.05, 1.08),
            sweep=(-0.25, 0.0),
            reach=0.75,
        ),
    ),
]

textures = [
    Bg(
        "grain-dawn",
        "Grainy Dawn",
        "texture",
        ["peach", "lilac", "grain", "light"],
        Linear(["#fcd5bd", "#f4b3c9", "#c9b8f2"], seed=1, angle=0.5),
        grain=4.5,
    ),
    Bg(
        "grain-dusk",
        "Grainy Dusk",
        "texture",
        ["navy", "plum", "orange", "grain", "dark"],
        Linear(["#0a0f2c", "#3b1845", "#9a3b2e"], seed=2, angle=1.2),
        grain=6.5,
    ),
    Bg(
        "grain-noir",
        "Noir Grain",
        "texture",
        ["black", "grey", "grain", "dark", "minimal"],
        Glow("#141416", "#060607", [Light("#52525b", 0.15, -0.1, 0.55, 0.25, stretch=1.4)], seed=3),
        grain=6.0,
    ),
    Bg(
        "grain-sage",
        "Sage Grain",
        "texture",
        ["green", "cream", "grain", "light", "calm"],
        Linear(["#e9efe2", "#cfdcc4", "#b4c7b0"], seed=4, angle=0.3),
        grain=7.0,
    ),
    Bg(
        "grain-cobalt",
        "Cobalt Grain",
        "texture",
        ["blue", "cobalt", "grain", "dark"],
        Linear(["#1e3a8a", "#0b1a4a", "#030712"], seed=5, angle=-0.6),
        grain=6.5,
    ),
]

nature = [
    Bg(
        "aurora-borealis",
        "Aurora Borealis",
        "nature",
        ["green", "teal", "night", "dark"],
        Aurora(("#020611", "#06141c"), ("#22f5a0", "#7c3aed"), seed=7),
    ),
    Bg(
        "aurora-violet",
        "Violet Aurora",
        "nature",
        ["purple", "pink", "night", "dark"],
        Aurora(("#05030f", "#0d0820"), ("#c084fc", "#22d3ee"), seed=21),
    ),
    Bg(
        "aurora-polar",
        "Polar Lights",
        "nature",
        ["cyan", "blue", "night", "dark"],
        Aurora(("#01040d", "#041024"), ("#38bdf8", "#34d399"), seed=15),
    ),
    Bg(
        "waves-ocean",
        "Ocean Waves",
        "nature",
        ["blue", "sea", "layers", "dark"],
        Waves(("#040b1d", "#0b1f3f"), ["#0c2a55", "#0b3a6e", "#0e4c86", "#1565a8"], seed=3),
    ),
    Bg(
        "waves-dusk",
        "Dusk Hills",
        "nature",
        ["purple", "pink", "hills", "dark"],
        Waves(("#160b2e", "#4a1d4f"), ["#2a1245", "#3d1650", "#561a55", "#74205a"], seed=8),
    ),
    Bg(
        "waves-dunes",
        "Dunes",
        "nature",
        ["sand", "beige", "desert", "light", "warm"],
        Waves(
            ("#fbf3e6", "#f6e3c6"),
            ["#efd2a8", "#e6bf8c", "#d9a871", "#c98f58"],
            seed=5,
            top=0.66,
            shadow=0.1,
        ),
    ),
    Bg(
        "topo-forest",
        "Forest Contours",
        "nature",
        ["green", "map", "lines", "dark"],
        Overlay(
            night("#04120c", "#020a07", "#14532d", 0.5),
            [(Contours(seed=4, levels=9), "#6ee7a0", 0.4, None)],
        ),
    ),
    Bg(
        "topo-slate",
        "Slate Contours",
        "nature",
        ["grey", "blue", "map", "lines", "dark"],
        Overlay(
            night("#0c1220", "#070b14", "#334155", 0.5),
            [(Contours(seed=9, levels=10), "#cbd5e1", 0.22, None)],
        ),
    ),
    Bg(
        "topo-paper",
        "Paper Contours",
        "nature",
        ["cream", "brown", "map", "light"],
        Overlay(
            paper("#f7f1e3", "#efe6d2"), [(Contours(seed=2, levels=10), "#8a6a43", 0.35, None)]
        ),
    ),
]
