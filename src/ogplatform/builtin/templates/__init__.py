"""The built-in card templates, registered as one pack in the ``ogplatform.templates`` group."""

from ogplatform.builtin.templates.seed import gradient, minimal, photo_glass, photo_hero

__all__ = ["pack"]

pack = [gradient, minimal, photo_hero, photo_glass]
