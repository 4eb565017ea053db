"""Use cases: one operation each, taking the acting principal."""
