"""A plugin module that fails on import, as a plugin with a missing dependency would."""

import ogp_test_plugins_missing_dependency  # noqa: F401

background = None
