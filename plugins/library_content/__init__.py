"""The randomised content block: a draw of N components per learner from a content library (Open edX's
``library_content``)."""
