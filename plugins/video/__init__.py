"""A video block (built in, registered through the ``xblock.v1`` entry point)."""
