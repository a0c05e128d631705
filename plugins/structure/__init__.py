"""Course structure blocks: course, chapter, sequential and vertical (unit), as in Open edX's OLX."""
