"""Claims the map-theme id 'test-ink', which ogp-test-plugins already uses."""

from ogp_test_plugins import Theme

ink = Theme("test-ink", "9.9", "Ink, again")
