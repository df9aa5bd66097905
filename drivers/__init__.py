"""Hardware protocols: fiscal register, scanner, ESC/POS, GPIO. Never imports gateway."""
