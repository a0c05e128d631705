"""The XBlock host: keys, runtime, field storage, services for blocks and safe course import."""
