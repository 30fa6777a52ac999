"""Test factories, one module per domain; `accounts` holds people, communities and sign-in."""
