"""Legacy-compatible backfill of ml_feature_store (replaces backfill_jobs/precompute/ml_feature_store/ml_feature_store_precompute_backfill.py)."""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for


def main(argv=None) -> int:
    return main_for(
        "mlfs", 4, __name__ if __name__ != "__main__" else "nbaprops.jobs.precompute.ml_feature_store", argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
