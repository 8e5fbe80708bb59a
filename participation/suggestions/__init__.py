"""The anonymous digital suggestion box."""
