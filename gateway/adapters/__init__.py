"""Infrastructure: SQLite now; MQTT and devices later."""
