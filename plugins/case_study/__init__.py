"""A case study block (built in, registered through the ``xblock.v1`` entry point)."""
