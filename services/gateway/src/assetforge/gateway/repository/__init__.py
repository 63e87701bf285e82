"""Every SQL statement of the gateway's own schema, one module per aggregate."""
