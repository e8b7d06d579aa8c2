"""The library's error hierarchy. Edges (CLI, app) translate these into messages."""


class RagError(Exception):
    """An error the user can fix; its message is one line that says how."""


class CorpusError(RagError):
    """The corpus directory or a document in it cannot be used."""


class IndexMissingError(RagError):
    """No index has been built at the given path."""


class IndexMismatchError(RagError):
    """The index was built with another format, model or dimension than this code uses."""


class IndexCorruptError(RagError):
    """An index file is missing, truncated or unreadable."""


class BuildLockedError(RagError):
    """Another build holds the index lock."""


class ModelUnavailableError(RagError):
    """A model or the package that provides it is not installed."""


class InvalidQuestionError(RagError):
    """The question is empty, too long or otherwise unusable."""


class IndexUnavailableError(RagError):
    """The database that holds the index cannot be reached, or did not answer in time."""
