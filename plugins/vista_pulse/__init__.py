"""The VISTA pulse: a few questions at the end of a course about what it changed at work."""
