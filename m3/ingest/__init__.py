"""Imports: reading user files safely, listing every problem, and recording each run."""
