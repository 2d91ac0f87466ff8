"""The facts store: CRM activities and opportunities in an Ibis engine (DuckDB, PostgreSQL …)."""
