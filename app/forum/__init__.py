"""The training forum: threads and replies of the ``discussion`` block, their visibility by cohort, and
the moderation queue trainers work through. Blocks reach it only through the ``forum`` block service."""
