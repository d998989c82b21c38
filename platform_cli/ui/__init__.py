"""Rich rendering. Writes only to the consoles it is handed."""
