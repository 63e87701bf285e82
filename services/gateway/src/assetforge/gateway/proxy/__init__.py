"""The image proxy: fetches a remote image for the browser, reaching public addresses only."""
