"""calcml.num (under construction)."""
