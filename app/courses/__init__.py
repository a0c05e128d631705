"""The catalogue: courses, their published content version, assets, enrolment, import and export."""
