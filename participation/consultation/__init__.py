"""The consultation (høring) on the draft strategy."""
