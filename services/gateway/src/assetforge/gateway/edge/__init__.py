"""The HTTP edge: what every request meets before and after Litestar routes it."""
