"""Pulse surveys: short recurring Likert questions answered by reps."""
