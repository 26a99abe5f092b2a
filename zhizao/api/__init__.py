"""HTTP edge: routes per domain and error mapping; no SQL, no business rules."""
