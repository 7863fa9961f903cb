"""Django admin registrations of the training app (read-only for records)."""
