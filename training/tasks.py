"""Celery tasks and periodic jobs of the training app, thin: ids in, one service call."""
