"""Drop-in replacements for the legacy backfill scripts: same flags, same log line shapes and summary
blocks, e.g. ``python -m nbaprops.jobs.precompute.player_composite_factors --start-date 2021-12-01
--end-date 2021-12-31``. Differences on purpose: exit code non-zero when any date failed or was blocked,
failed dates are retried on resume, and ``--workers``/``--stop-on-failure`` exist."""
