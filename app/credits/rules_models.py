"""Credits tables: rules (filled in by its slice)."""
