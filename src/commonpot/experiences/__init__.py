"""Experiences domain."""
