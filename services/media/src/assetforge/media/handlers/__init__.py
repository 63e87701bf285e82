"""Bus edges of the media service."""
