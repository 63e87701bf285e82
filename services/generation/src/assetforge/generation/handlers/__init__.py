"""Bus edges of the generation service."""
