"""Stand-ins for outside services, speaking their published protocols."""
