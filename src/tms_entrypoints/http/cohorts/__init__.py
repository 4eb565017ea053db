"""HTTP endpoints of the cohorts area: batches, and bulk imports of users."""
