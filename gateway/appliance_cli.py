"""`storegw doctor`, `storegw backup FILE`, `storegw restore FILE`: looking after the box."""

import argparse

from gateway.backup import add_backup_parsers
from gateway.doctor import add_doctor_parser


def add_appliance_parsers(commands, common: argparse.ArgumentParser) -> None:
    """Registers the appliance commands: doctor (gateway/doctor*.py), backup and restore
    (gateway/backup.py)."""
    add_doctor_parser(commands, common)
    add_backup_parsers(commands, common)
