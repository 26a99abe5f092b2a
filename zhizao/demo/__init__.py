"""Deterministic demo data for a Liangjiang-like zone."""
