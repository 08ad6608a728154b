"""Legacy-compatible Phase 5B job (backfill_jobs/grading/)."""
