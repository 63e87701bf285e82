"""The gateway's domain rules (identity, activity log)."""
