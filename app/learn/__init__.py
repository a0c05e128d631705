"""Learner-facing pages: the home page, the catalogue, courseware and the XBlock endpoints."""
