"""Changes to people and organisations. Each function takes the acting user, flushes, never commits."""
