"""Messages and subjects shared by the services: the bus contract, defined once."""
