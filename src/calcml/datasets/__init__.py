"""calcml.datasets (under construction)."""
