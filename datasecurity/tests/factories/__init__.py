"""Test data of the data-security app, one module per area."""
