"""M3: Message, Measure, Momentum for sales organisations."""

__version__ = "0.1.0"
