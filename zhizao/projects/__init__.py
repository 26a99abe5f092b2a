"""Investment projects: signing events, stages, funds, indicators, signatures, evidence (pure)."""
