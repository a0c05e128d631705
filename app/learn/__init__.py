"""Learner-facing pages: the home page, and later the catalogue and courseware."""
