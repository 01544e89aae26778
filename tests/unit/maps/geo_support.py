"""Helpers for the map tests."""

from __future__ import annotations

from ogplatform.maps.geodata import Location, LocationIndex


def loc(index: LocationIndex, code: str) -> Location:
    """The bundle's location with this code (the test fails when there is none)."""
    found = index.get(code)
    assert found is not None, code
    return found
