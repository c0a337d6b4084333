"""How the credits service reacts to the gradebook (filled in by the ledger slice)."""
