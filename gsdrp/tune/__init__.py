"""Ray Tune: one shared trainable, search-space pieces, and the sweep runner."""
