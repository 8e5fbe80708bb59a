"""Reports for the political case: the høringsnotat and the merknader sheet."""
