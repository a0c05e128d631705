"""LTI consumer block."""
