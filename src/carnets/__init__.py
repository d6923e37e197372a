"""Carnets: a linked-data publisher for writers' notebooks."""

__version__ = "0.1.0"
