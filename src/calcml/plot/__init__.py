"""calcml.plot (under construction)."""
