"""Back-office rules: plain functions that take a session, flush and raise domain errors."""
