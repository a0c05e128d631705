"""Cohorts: groups of SME staff that a Cybersite takes through courses together, and their enrolment."""
