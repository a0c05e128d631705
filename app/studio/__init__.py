"""Authoring pages: course staff open a course's units and edit each component through its editor."""
