"""calcml.models (under construction)."""
