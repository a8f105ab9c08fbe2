"""Seed 004 chapters (being written)."""
