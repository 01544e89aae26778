"""Shared by the map tests: the packaged bundle's index, loaded once (it never changes)."""

from __future__ import annotations

import pytest

from ogplatform.maps.geodata import LocationIndex


@pytest.fixture(scope="session")
def index() -> LocationIndex:
    return LocationIndex.load()
