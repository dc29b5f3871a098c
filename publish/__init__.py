"""Publish: the normalised tables → researcher-facing outputs (wide table, data dictionary)."""
