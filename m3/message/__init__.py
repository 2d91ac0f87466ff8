"""The message: canonical text, its clarity, and how consistently leaders and reps carry it."""
