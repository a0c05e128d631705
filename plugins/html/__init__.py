"""The HTML text component."""
