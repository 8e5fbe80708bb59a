"""Participation processes: a process, its phases and texts, and who may see it."""
