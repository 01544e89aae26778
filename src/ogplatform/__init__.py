"""ogplatform: Open Graph cards and static maps, rendered once and served through a CDN."""

__version__ = "0.1.0"

__all__ = ["__version__"]
