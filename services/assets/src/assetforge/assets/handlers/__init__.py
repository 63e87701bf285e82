"""Bus edges of the assets service: decode, open the unit of work, call the service."""
