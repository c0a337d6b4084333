"""Credits tables: recognition (filled in by its slice)."""
