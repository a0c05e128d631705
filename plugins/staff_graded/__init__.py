"""Staff-graded assignments of Open edX (``staffgradedxblock`` and ``edx_sga``), built in and registered
through the ``xblock.v1`` entry points."""
