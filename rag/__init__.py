"""Vraag de experts: question answering over a booklet of expert advice, with checkable citations."""

__version__ = "0.1.0"
