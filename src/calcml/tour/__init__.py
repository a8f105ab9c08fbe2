"""calcml.tour (under construction)."""
