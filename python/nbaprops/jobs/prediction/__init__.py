"""Legacy-compatible Phase 5A job (backfill_jobs/prediction/)."""
