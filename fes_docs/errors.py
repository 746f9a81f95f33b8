"""One root exception for what a *user* can cause outside the project files (exit code 2).

Problems inside the project are findings, never exceptions; anything else escaping is a bug.
"""


class FesDocsError(Exception):
    """Root of the tool's own exceptions; the message is one line meant for the user."""


class ConfigError(FesDocsError):
    """The policy file is missing or unreadable: there is no project to check."""


class UsageError(FesDocsError):
    """The command line asks for something impossible (unknown release, bad option combination)."""
