"""Learner progress: completion and grade per learner and block, recorded from the runtime's events."""
