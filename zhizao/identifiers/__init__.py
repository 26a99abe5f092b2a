"""Identifiers: a Handle-compatible registry and resolver (pure domain code)."""
