"""The only modules that import ``nbaprops._core``."""
