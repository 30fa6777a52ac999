"""Ecology domain."""
