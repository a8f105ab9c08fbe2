"""Seed 003 chapters (being written)."""
