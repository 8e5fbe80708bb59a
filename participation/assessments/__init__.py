"""Closing the loop: the administration's assessment of every input and the answers to participants."""
