"""Credits tables: document (filled in by its slice)."""
