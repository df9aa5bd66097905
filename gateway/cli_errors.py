"""The error every `storegw` command raises for a problem the user can fix."""


class CliError(Exception):
    """A problem the user can fix, printed as one line."""
