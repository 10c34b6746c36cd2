"""The NGSI-LD query languages (ETSI GS CIM 009 §4.9, §4.10, §4.17, §4.19), pure Python.

Each parser takes the parameter text and an ``expand`` callable (term → IRI, built by the
caller from the @context), raises :class:`dos.broker.errors.NgsiError` for bad input, and
returns a tree with ``matches(...)`` and, where useful, ``to_sql(dialect)``.
"""

from __future__ import annotations

from dos.broker.query.q import parse_q
from dos.broker.query.q_nodes import Node
from dos.broker.query.sql import register_sqlite_functions

__all__ = ["Node", "parse_q", "register_sqlite_functions"]
