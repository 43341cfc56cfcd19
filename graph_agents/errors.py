"""Errors that mean the user's input is wrong: shown as one line, never as a traceback."""


class InputError(ValueError):
    """Bad input: a missing directory, an unreadable document, an unknown vertical, an empty graph."""
