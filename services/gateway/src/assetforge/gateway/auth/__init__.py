"""Who is calling: Privy access tokens, personal API keys, dev-mode tokens."""
