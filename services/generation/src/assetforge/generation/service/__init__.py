"""The generation service's rules: submitting, reading and controlling pipelines."""
