"""HTTP edges of the gateway: decode, authorize, ask a service, encode."""
