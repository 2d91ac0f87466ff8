"""Reports: the pages and JSON each role reads."""
