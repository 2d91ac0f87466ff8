"""The demo: a seeded, simulated sales organisation whose units differ on purpose (docs/demo.md)."""
