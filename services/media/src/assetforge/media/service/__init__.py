"""The media service's rules, one module per responsibility."""
