"""Geometry to and from the bundle's integer-delta encoding (stdlib only when decoding)."""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from ogplatform.maps.geodata._format import KIND_LINE, KIND_POLYGON, SCALE, EncodedShape
from ogplatform.maps.geodata.shape import Shape

__all__ = ["decode_shape", "encode_rings"]


def encode_rings(kind: int, parts: list[list[list[tuple[int, int]]]]) -> EncodedShape:
    """Encode parts -> rings -> grid points (already rounded to ints) as an EncodedShape."""
    sizes = [len(parts)]
    deltas: list[int] = []
    px = py = 0
    for rings in parts:
        sizes.append(len(rings))
        for ring in rings:
            sizes.append(len(ring))
            for x, y in ring:
                deltas += (x - px, y - py)
                px, py = x, y
    return EncodedShape(kind=kind, sizes=sizes, deltas=deltas)


def decode_shape(encoded: EncodedShape) -> Shape:
    """Decode to a Shape whose rings are flat ``array('d')`` of x, y, x, y, ... degrees."""
    deltas = encoded.deltas
    scale = float(SCALE)
    # Running sums undo the deltas; dividing (not multiplying by 1e-4) gives the nearest double.
    xs = array("d", [x / scale for x in accumulate(deltas[0::2])])
    ys = array("d", [y / scale for y in accumulate(deltas[1::2])])
    coords = array("d", bytes(16 * len(xs)))
    coords[0::2] = xs
    coords[1::2] = ys
    sizes = encoded.sizes
    pos, start = 1, 0
    parts: list[tuple[array[float], ...]] = []
    for _ in range(sizes[0]):
        n_rings = sizes[pos]
        pos += 1
        rings = []
        for _ in range(n_rings):
            n = sizes[pos]
            pos += 1
            rings.append(coords[2 * start : 2 * (start + n)])
            start += n
        parts.append(tuple(rings))
    kind: Any = "polygon" if encoded.kind == KIND_POLYGON else "line"
    assert encoded.kind in (KIND_POLYGON, KIND_LINE)
    return Shape(kind=kind, parts=tuple(parts))
