"""Every SQL statement of the assets schema, one module per area."""
