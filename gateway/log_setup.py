"""How `storegw run` logs: plain lines on stderr, which systemd puts in the journal."""

import logging


def configure_logging(level: int = logging.INFO) -> None:
    # force: python-escpos calls logging.basicConfig() when it is imported.
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
