"""Legacy-compatible raw (Phase 2) backfill scripts: ``python -m nbaprops.jobs.raw.<name>``."""
