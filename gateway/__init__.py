"""Store gateway: stock, reservations, devices and cloud sync for one shop."""

__version__ = "0.1.0"
