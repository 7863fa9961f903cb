"""Factories of the training tests, one module per area."""
