"""The NGSI-LD query languages (ETSI GS CIM 009 §4.9, §4.10, §4.17, §4.19, §4.21), pure Python.

Each parser takes the parameter text (and, where names occur, an ``expand`` callable mapping a
term to its IRI, built by the caller from the @context), raises
:class:`dos.broker.errors.NgsiError` (``BadRequestData``) naming the problem and its position
for bad input, and returns a tree that evaluates against the internal entity document
(``matches``) and, where a store can use it, renders SQL for SQLite or PostgreSQL (``to_sql``).
"""

from __future__ import annotations

from dos.broker.query.boolean import Condition
from dos.broker.query.entity_types import TypeName, parse_type_query, type_alternatives
from dos.broker.query.geo import GeoQuery, geo_query_from_json, geometry_of, parse_geo_query
from dos.broker.query.lang import parse_lang, pick_language
from dos.broker.query.projection import (
    Member,
    Projection,
    parse_attrs,
    parse_members,
    parse_projection,
)
from dos.broker.query.q import parse_q
from dos.broker.query.q_nodes import Node
from dos.broker.query.regex import check_pattern
from dos.broker.query.scope import ScopeTerm, parse_scope, parse_scope_query
from dos.broker.query.sql import register_sqlite_functions
from dos.broker.query.temporal import TemporalQuery, parse_datetime, parse_temporal_query

__all__ = [
    "Condition",
    "GeoQuery",
    "Member",
    "Node",
    "Projection",
    "ScopeTerm",
    "TemporalQuery",
    "TypeName",
    "check_pattern",
    "geo_query_from_json",
    "geometry_of",
    "parse_attrs",
    "parse_datetime",
    "parse_geo_query",
    "parse_lang",
    "parse_members",
    "parse_projection",
    "parse_q",
    "parse_scope",
    "parse_scope_query",
    "parse_temporal_query",
    "parse_type_query",
    "pick_language",
    "register_sqlite_functions",
    "type_alternatives",
]
