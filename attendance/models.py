"""attendance models: features arrive with their issues (see docs/modules.md)."""
