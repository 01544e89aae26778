"""Map projections (spherical, numpy) and the choice of one per location.

Three projections cover what a location map needs (Snyder's rules, as in Projection Wizard):

- :class:`Albers` equal-area conic for mid-latitude east-west extents (the United States,
  Russia), standard parallels at 1/6 and 5/6 of the latitude span;
- :class:`TransverseMercator` for north-south extents (Chile, Germany, Norway);
- :class:`LambertAzimuthal` equal-area for square-ish or polar extents (Brazil, India,
  Greenland, Antarctica), and centred on the city for city maps;
- :class:`EqualEarth` for the world (Šavrič, Patterson & Jenny 2018).

They are the spherical forms (a map of a country at screen scale cannot show the ellipsoid's
0.3 % difference), written here in a few lines each so rendering needs nothing beyond numpy.
Every projection is centred on the subject (``lon0`` = the centre of its main territory), so
the seam at ``lon0 + 180`` lies on the far side of the globe and nothing visible is split
(Russia, Fiji, the Aleutians). Outputs are in units of the earth's radius with y pointing up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from ogplatform.maps.geodata import Shape

__all__ = [
    "Albers",
    "EqualEarth",
    "Fit",
    "LambertAzimuthal",
    "Projection",
    "TransverseMercator",
    "choose_projection",
    "main_territory",
    "wrap_lon",
]

Array = npt.NDArray[np.float64]
ProjectionName = Literal["albers", "transverse_mercator", "lambert_azimuthal", "equal_earth"]
_RAD = math.pi / 180.0


def wrap_lon(lon: Array | float) -> Array:
    """Longitudes (degrees) into [-180, 180)."""
    return np.asarray((np.asarray(lon) + 180.0) % 360.0 - 180.0, dtype=np.float64)


@dataclass(frozen=True)
class Projection:
    """Base: ``forward``/``inverse`` work on relative longitude ``lon - lon0`` in degrees."""

    lon0: float
    lat0: float
    name: ProjectionName = field(init=False, default="albers")
    # relative longitudes beyond this (degrees) are cut away before projecting
    max_rel_lon: float = field(init=False, default=179.9)

    def forward(self, rel_lon: Array, lat: Array) -> tuple[Array, Array]:
        raise NotImplementedError

    def inverse(self, x: Array, y: Array) -> tuple[Array, Array]:
        raise NotImplementedError

    @property
    def params(self) -> dict[str, float | str]:
        return {"name": self.name, "lon0": round(self.lon0, 4), "lat0": round(self.lat0, 4)}


@dataclass(frozen=True)
class Albers(Projection):
    lat1: float = 29.5
    lat2: float = 45.5
    name: ProjectionName = field(init=False, default="albers")
    max_rel_lon: float = field(init=False, default=179.9)

    def _consts(self) -> tuple[float, float, float]:
        s1, s2 = math.sin(self.lat1 * _RAD), math.sin(self.lat2 * _RAD)
        n = (s1 + s2) / 2.0
        if abs(n) < 0.01:  # standard parallels around the equator: nearly cylindrical
            n = 0.01 if n >= 0 else -0.01
        c = math.cos(self.lat1 * _RAD) ** 2 + 2.0 * n * s1
        rho0 = math.sqrt(max(c - 2.0 * n * math.sin(self.lat0 * _RAD), 0.0)) / n
        return n, c, rho0

    def forward(self, rel_lon: Array, lat: Array) -> tuple[Array, Array]:
        n, c, rho0 = self._consts()
        rho = np.sqrt(np.maximum(c - 2.0 * n * np.sin(lat * _RAD), 0.0)) / n
        theta = n * rel_lon * _RAD
        return rho * np.sin(theta), rho0 - rho * np.cos(theta)

    def inverse(self, x: Array, y: Array) -> tuple[Array, Array]:
        n, c, rho0 = self._consts()
        dy = rho0 - y
        rho = np.sign(n) * np.hypot(x, dy)
        theta = np.arctan2(np.sign(n) * x, np.sign(n) * dy)
        lat = np.arcsin(np.clip((c - (rho * n) ** 2) / (2.0 * n), -1.0, 1.0)) / _RAD
        return theta / n / _RAD, lat

    @property
    def params(self) -> dict[str, float | str]:
        return {**super().params, "lat1": round(self.lat1, 4), "lat2": round(self.lat2, 4)}


@dataclass(frozen=True)
class TransverseMercator(Projection):
    name: ProjectionName = field(init=False, default="transverse_mercator")
    max_rel_lon: float = field(init=False, default=80.0)

    def forward(self, rel_lon: Array, lat: Array) -> tuple[Array, Array]:
        lam, phi = rel_lon * _RAD, lat * _RAD
        b = np.clip(np.cos(phi) * np.sin(lam), -0.999999, 0.999999)
        x = np.arctanh(b)
        y = np.arctan2(np.tan(phi), np.cos(lam)) - self.lat0 * _RAD
        return x, y

    def inverse(self, x: Array, y: Array) -> tuple[Array, Array]:
        d = y + self.lat0 * _RAD
        lat = np.arcsin(np.clip(np.sin(d) / np.cosh(x), -1.0, 1.0))
        lon = np.arctan2(np.sinh(x), np.cos(d))
        return lon / _RAD, lat / _RAD


@dataclass(frozen=True)
class LambertAzimuthal(Projection):
    name: ProjectionName = field(init=False, default="lambert_azimuthal")
    max_rel_lon: float = field(init=False, default=179.9)

    def forward(self, rel_lon: Array, lat: Array) -> tuple[Array, Array]:
        lam, phi = rel_lon * _RAD, lat * _RAD
        s0, c0 = math.sin(self.lat0 * _RAD), math.cos(self.lat0 * _RAD)
        cos_c = s0 * np.sin(phi) + c0 * np.cos(phi) * np.cos(lam)
        k = np.sqrt(2.0 / np.maximum(1.0 + cos_c, 1e-6))  # clamp at the antipode
        x = k * np.cos(phi) * np.sin(lam)
        y = k * (c0 * np.sin(phi) - s0 * np.cos(phi) * np.cos(lam))
        return x, y

    def inverse(self, x: Array, y: Array) -> tuple[Array, Array]:
        s0, c0 = math.sin(self.lat0 * _RAD), math.cos(self.lat0 * _RAD)
        rho = np.maximum(np.hypot(x, y), 1e-12)
        c = 2.0 * np.arcsin(np.clip(rho / 2.0, -1.0, 1.0))
        sc, cc = np.sin(c), np.cos(c)
        lat = np.arcsin(np.clip(cc * s0 + y * sc * c0 / rho, -1.0, 1.0))
        lon = np.arctan2(x * sc, rho * c0 * cc - y * s0 * sc)
        return lon / _RAD, lat / _RAD


_EE = (1.340264, -0.081106, 0.000893, 0.003796)  # Equal Earth's polynomial coefficients
_EE_M = math.sqrt(3.0) / 2.0


@dataclass(frozen=True)
class EqualEarth(Projection):
    """The Equal Earth world projection: equal-area, straight parallels, curved meridians.

    ``y = A1 t + A2 t^3 + A3 t^7 + A4 t^9`` with ``sin t = sqrt(3)/2 sin(lat)``; the inverse
    solves for ``t`` by Newton's method (converges to 1e-12 in a handful of steps).
    """

    name: ProjectionName = field(init=False, default="equal_earth")
    max_rel_lon: float = field(init=False, default=179.999)

    def forward(self, rel_lon: Array, lat: Array) -> tuple[Array, Array]:
        a1, a2, a3, a4 = _EE
        t = np.arcsin(_EE_M * np.sin(np.asarray(lat) * _RAD))
        t2 = t * t
        t6 = t2 * t2 * t2
        deriv = a1 + 3.0 * a2 * t2 + t6 * (7.0 * a3 + 9.0 * a4 * t2)
        x = 2.0 * math.sqrt(3.0) * np.asarray(rel_lon) * _RAD * np.cos(t) / (3.0 * deriv)
        y = t * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
        return x, y

    def inverse(self, x: Array, y: Array) -> tuple[Array, Array]:
        a1, a2, a3, a4 = _EE
        y = np.clip(np.asarray(y, dtype=np.float64), -1.3173627, 1.3173627)
        t = y / a1
        for _ in range(12):
            t2 = t * t
            t6 = t2 * t2 * t2
            f = t * (a1 + a2 * t2 + t6 * (a3 + a4 * t2)) - y
            fp = a1 + 3.0 * a2 * t2 + t6 * (7.0 * a3 + 9.0 * a4 * t2)
            t = t - f / fp
        t2 = t * t
        t6 = t2 * t2 * t2
        deriv = a1 + 3.0 * a2 * t2 + t6 * (7.0 * a3 + 9.0 * a4 * t2)
        lon = 3.0 * np.asarray(x) * deriv / (2.0 * math.sqrt(3.0) * np.cos(t))
        lat = np.arcsin(np.clip(np.sin(t) / _EE_M, -1.0, 1.0))
        return lon / _RAD, lat / _RAD


@dataclass(frozen=True)
class Fit:
    """Projected units to pixels: ``px = tx + scale * x``, ``py = ty - scale * y``."""

    scale: float
    tx: float
    ty: float

    def to_px(self, x: Array, y: Array) -> tuple[Array, Array]:
        return self.tx + self.scale * x, self.ty - self.scale * y

    def from_px(self, px: Array, py: Array) -> tuple[Array, Array]:
        return (px - self.tx) / self.scale, (self.ty - py) / self.scale

    @classmethod
    def to_box(
        cls, bbox: tuple[float, float, float, float], box: tuple[float, float, float, float]
    ) -> Fit:
        """Fit projected ``bbox`` (x0, y0, x1, y1; y up) centred into pixel ``box``."""
        x0, y0, x1, y1 = bbox
        bx0, by0, bx1, by1 = box
        scale = min((bx1 - bx0) / max(x1 - x0, 1e-12), (by1 - by0) / max(y1 - y0, 1e-12))
        tx = (bx0 + bx1) / 2.0 - scale * (x0 + x1) / 2.0
        ty = (by0 + by1) / 2.0 + scale * (y0 + y1) / 2.0
        return cls(scale, tx, ty)


@dataclass(frozen=True)
class Territory:
    """The main territory of a shape: the polygons the map is fitted to."""

    lon0: float  # centre longitude
    min_rel: float  # relative longitude range of the main territory
    max_rel: float
    min_lat: float
    max_lat: float
    parts: tuple[int, ...]  # indices of the polygons in the main territory


def unwrap_ring(ring: Array, lon0: float) -> Array:
    """Relative longitudes of a ring (n, 2) made continuous (no 360-degree jumps), shifted so
    their middle lies nearest 0."""
    rel: Array = (ring[:, 0] - lon0 + 180.0) % 360.0 - 180.0
    if len(rel) > 1:
        if rel.max() - rel.min() < 180.0:  # the common case: no jump, middle near 0
            return rel
        d = wrap_lon(np.diff(rel))
        rel = rel[0] + np.concatenate(([0.0], np.cumsum(d)))
        mid = (rel.min() + rel.max()) / 2.0
        rel = rel - 360.0 * np.round(mid / 360.0)
    return rel


def _ring_array(ring: object) -> Array:
    return np.frombuffer(ring, dtype=np.float64).reshape(-1, 2)  # type: ignore[call-overload,no-any-return]


def main_territory(shape: Shape, center_lon: float, near: float = 0.25) -> Territory:
    """The largest polygon and every polygon lying close to it (or to one already taken), so
    far-flung islands (Hawaii, Svalbard, overseas France) do not shrink the main territory."""
    boxes: list[tuple[float, float, float, float]] = []
    areas: list[float] = []
    for part in shape.parts:
        ring = _ring_array(part[0])
        rel = unwrap_ring(ring, center_lon)
        lat = ring[:, 1]
        k = math.cos(float(np.clip(lat.mean(), -89.0, 89.0)) * _RAD)
        area = 0.5 * abs(
            float(rel[:-1] @ lat[1:] - lat[:-1] @ rel[1:] + rel[-1] * lat[0] - lat[-1] * rel[0])
        )
        areas.append(area * k)
        boxes.append((float(rel.min()), float(rel.max()), float(lat.min()), float(lat.max())))
    order = sorted(range(len(areas)), key=lambda i: -areas[i])
    chosen = [order[0]]
    x0, x1, y0, y1 = boxes[order[0]]
    # grow from the largest polygon: take polygons lying near what is taken (in ground
    # degrees, within a quarter of its diagonal), so chains of islands join and far-flung
    # ones (Hawaii, French Guiana, Svalbard) do not
    changed = True
    while changed:
        changed = False
        k = math.cos(float(np.clip((y0 + y1) / 2.0, -80.0, 80.0)) * _RAD)
        reach = near * math.hypot((x1 - x0) * k, y1 - y0)
        for i in order:
            if i in chosen:
                continue
            bx0, bx1, by0, by1 = boxes[i]
            gap = math.hypot(max(0.0, bx0 - x1, x0 - bx1) * k, max(0.0, by0 - y1, y0 - by1))
            # small islands never stretch the fit (Okinawa, the Azores); pieces touching
            # what is taken (Chukotka beyond 180 degrees) always belong
            small = areas[i] < 0.01 * areas[order[0]] and gap > 0.5
            if gap <= reach and not small:
                chosen.append(i)
                x0, x1, y0, y1 = min(x0, bx0), max(x1, bx1), min(y0, by0), max(y1, by1)
                changed = True
    ids = sorted(chosen)
    return Territory(center_lon, x0, x1, y0, y1, tuple(ids))


def choose_projection(shape: Shape, center_lon: float) -> tuple[Projection, Territory]:
    """The projection for a subject: by the shape and position of its main territory."""
    terr = main_territory(shape, center_lon)
    # re-centre on the main territory
    lon0 = float(wrap_lon(center_lon + (terr.min_rel + terr.max_rel) / 2.0))
    terr = main_territory(shape, lon0)
    lat0 = (terr.min_lat + terr.max_lat) / 2.0
    lat_span = terr.max_lat - terr.min_lat
    ew = (terr.max_rel - terr.min_rel) * math.cos(lat0 * _RAD)
    ratio = ew / max(lat_span, 1e-6)
    proj: Projection
    if terr.min_lat < -60.0 and terr.max_lat < -55.0:
        proj = LambertAzimuthal(lon0, -90.0)  # Antarctica: south polar aspect
    elif terr.max_lat > 88.0:
        proj = LambertAzimuthal(lon0, 90.0)
    elif abs(lat0) > 65.0:
        proj = LambertAzimuthal(lon0, lat0)  # Greenland, Svalbard: oblique azimuthal
    elif ratio < 0.8:
        proj = TransverseMercator(lon0, lat0)
    elif ratio > 1.25:
        lat1 = terr.min_lat + lat_span / 6.0
        lat2 = terr.max_lat - lat_span / 6.0
        proj = Albers(lon0, lat0, lat1, lat2)
    else:
        proj = LambertAzimuthal(lon0, lat0)
    return proj, terr
