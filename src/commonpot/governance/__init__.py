"""Governance domain."""
