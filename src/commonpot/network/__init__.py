"""Network domain."""
