"""calcml.sensitivity (under construction)."""
