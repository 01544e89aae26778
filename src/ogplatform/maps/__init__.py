"""Maps: the geodata bundle and its location index (the renderer and API build on it)."""
