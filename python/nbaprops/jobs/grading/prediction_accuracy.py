"""Legacy-compatible grading backfill (replaces
backfill_jobs/grading/prediction_accuracy/prediction_accuracy_grading_backfill.py).

Grades every prediction of each date against the day's box scores (prediction_accuracy) and, as the
legacy pipeline did after grading, aggregates the day per system (system_daily_performance).
"""

from __future__ import annotations

from nbaprops.jobs._legacy import main_for

MODULE = "nbaprops.jobs.grading.prediction_accuracy"


def main(argv=None) -> int:
    return main_for("grade", 5, MODULE, argv, also=("sdp",))


if __name__ == "__main__":
    raise SystemExit(main())
