"""Initiatives: the strategy rolled out, its message, asks, forecast and cadence plan."""
