"""Credits tables: degree (filled in by its slice)."""
