"""The ICT fresco block (built in, registered through the ``xblock.v1`` entry point)."""
