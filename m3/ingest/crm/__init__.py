"""Importing CRM exports (CSV, XLSX, Parquet) into the facts store through profiles and mappings."""
