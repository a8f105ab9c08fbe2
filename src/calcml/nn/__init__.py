"""calcml.nn (under construction)."""
