"""The providers a pipeline calls, one interface per capability (``base.py``), each with
a real client and an offline stand-in that makes real files."""
