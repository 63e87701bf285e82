"""Third-party providers on loopback (Meshy, OpenAI), speaking their real HTTP protocol
with scriptable answers, so the real clients are tested over real sockets."""
