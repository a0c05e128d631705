"""The annotatable block: a text whose passages carry an author's comments (Open edX's ``annotatable``)."""
