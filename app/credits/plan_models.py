"""Credits tables: plan (filled in by its slice)."""
