"""Built-in XBlocks, one package each, registered only through ``xblock.v1`` entry points."""
