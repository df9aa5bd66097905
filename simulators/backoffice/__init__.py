"""The cloud back-office simulator: the cloud side of MQTT-CONTRACT.md v1 (see cloud.Cloud)."""

from .cloud import Cloud
from .model import make_catalog, make_envelope

__all__ = ["Cloud", "make_catalog", "make_envelope"]
