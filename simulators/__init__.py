"""Simulated register, scanner, printer and cloud. Never imports gateway or drivers."""
