"""The demo's history for ``demo load``: a network of Cybersites, companies and learners (``--size`` times the
base one) and months of activity written through the platform's own services, so that every dashboard,
chart and export shows real-looking figures on first start. Sits above every feature package it drives."""
