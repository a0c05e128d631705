"""Open edX's Open Response Assessment (``openassessment``): responses assessed by peers, self and staff."""
