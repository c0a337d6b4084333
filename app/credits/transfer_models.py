"""Credits tables: transfer (filled in by its slice)."""
