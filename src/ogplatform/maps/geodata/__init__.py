"""The geodata bundle: location records, water features and their shapes (stdlib + msgspec).

The build step (``python -m ogplatform.maps.geodata.build``) is separate and needs shapely and
pycountry; importing this package never loads them.
"""

from ogplatform.maps.geodata.loader import DEFAULT_DATA_DIR, LayerItem, LocationIndex
from ogplatform.maps.geodata.model import (
    NAMESPACE,
    Bounds,
    Feature,
    FeatureType,
    Location,
    LocationType,
    location_id,
)
from ogplatform.maps.geodata.shape import Shape

__all__ = [
    "DEFAULT_DATA_DIR",
    "NAMESPACE",
    "Bounds",
    "Feature",
    "FeatureType",
    "LayerItem",
    "Location",
    "LocationIndex",
    "LocationType",
    "Shape",
    "location_id",
]
