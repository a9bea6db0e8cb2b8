"""Meeting documents for Swedish committees: kallelse, handlingar and protokoll."""

__version__ = "0.1.0"
