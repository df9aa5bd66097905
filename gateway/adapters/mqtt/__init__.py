"""The MQTT link to the cloud back-office (paho-mqtt 2.x, MQTT 5, QoS 1)."""
