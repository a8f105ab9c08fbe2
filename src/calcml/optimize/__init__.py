"""calcml.optimize (under construction)."""
