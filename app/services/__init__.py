"""Queries and writes. Services flush; the view or CLI command commits once."""
