"""`storegw doctor`, `storegw backup FILE`, `storegw restore FILE`: looking after the box."""

import argparse


def add_appliance_parsers(commands, common: argparse.ArgumentParser) -> None:
    """Registers the appliance commands (filled in by issue 12's doctor and backup work)."""
