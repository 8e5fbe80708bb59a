"""The common inbox of inputs (innspill) from every channel."""
