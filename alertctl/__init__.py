"""alertctl: watch one Linux server, keep every alert as an incident, tell the right people."""

__version__ = "0.1.0"
