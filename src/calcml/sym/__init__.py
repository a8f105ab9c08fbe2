"""calcml.sym (under construction)."""
