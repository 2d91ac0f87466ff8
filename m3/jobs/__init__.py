"""Background jobs on a queue kept in the app database (no Redis needed)."""
