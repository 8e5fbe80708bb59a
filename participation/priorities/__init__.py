"""Priorities: which focus areas should come first, answered anonymously."""
