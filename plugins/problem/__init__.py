"""A problem block (built in, registered through the ``xblock.v1`` entry point)."""
