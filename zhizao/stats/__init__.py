"""Indicator series, periods, YoY, share, rank, transformation KPIs (pure)."""
