"""Tests of app.runtime: the XBlock host (plain unit tests, no database, no Flask app)."""
