"""Phase 6 publishing jobs (legacy ``backfill_jobs/publishing/``)."""
