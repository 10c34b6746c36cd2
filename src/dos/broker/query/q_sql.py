"""SQL for ``q`` queries over the JSON entity document (column ``doc``).

Two dialects, each written for its engine:

- ``sqlite``: ``doc`` is JSON text, read with ``json_each``/``json_type``/``json_extract``;
  regular expressions need :func:`dos.broker.query.sql.register_sqlite_functions`.
- ``postgresql``: ``doc`` is ``jsonb``, read with ``jsonb_array_elements`` and ``->``;
  strings compare with ``COLLATE "C"`` (code-point order, as in Python and SQLite).

Every user-supplied text (attribute IRIs, keys, values, patterns) is a bound parameter
(``?`` for sqlite3, ``%s`` for psycopg). The SQL gives the same answers as
:meth:`Node.matches` (the tests check both on the same data).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal
from typing import Any, Literal

from dos.broker.query.q_nodes import (
    VALUE_MEMBER,
    And,
    Comparison,
    Exists,
    Node,
    Or,
    Path,
    Pattern,
    Range,
    Value,
    ValueList,
    ValueTerm,
)

Dialect = Literal["sqlite", "postgresql"]
Fragment = tuple[str, list[Any]]


def q_to_sql(node: Node, dialect: Dialect, column: str = "doc") -> Fragment:
    """A boolean SQL expression (and its parameters) true for the rows ``node`` matches."""
    if dialect == "sqlite":
        return _Sqlite(column).node(node)
    if dialect == "postgresql":
        return _Postgres(column).node(node)
    raise ValueError(f"unknown SQL dialect {dialect!r}")


def _json_key(name: str) -> str:
    # Names reaching here never contain '"' (the parsers refuse them), so quoting is safe.
    return '."' + name + '"'


class _Writer(ABC):
    def __init__(self, column: str) -> None:
        if not column.replace("_", "").replace(".", "").isalnum():
            raise ValueError(f"bad column name {column!r}")
        self.column = column

    def node(self, node: Node) -> Fragment:
        if isinstance(node, And | Or):
            joiner = " AND " if isinstance(node, And) else " OR "
            parts = [self.node(item) for item in node.items]
            return (
                "(" + joiner.join(sql for sql, _ in parts) + ")",
                [p for _, params in parts for p in params],
            )
        if isinstance(node, Exists):
            sql, params = self.exists(node.path)
            return (f"(NOT {sql})" if node.negated else sql), params
        if isinstance(node, ValueTerm):
            return self.value_term(node)
        raise TypeError(f"not a query node: {node!r}")

    @abstractmethod
    def exists(self, path: Path) -> Fragment: ...

    @abstractmethod
    def value_term(self, term: ValueTerm) -> Fragment: ...

    def condition(self, term: ValueTerm, *candidate: Fragment) -> Fragment:
        """The test on one candidate, written by the dialect's ``compare``/``regex``.

        ``candidate`` optionally gives the SQL of the candidate's JSON type and value.
        """
        if isinstance(term, Comparison):
            return self.compare(term.op, term.value, *candidate)
        if isinstance(term, ValueList):
            parts = [self.compare("==", v, *candidate) for v in term.values]
            return (
                "(" + " OR ".join(sql for sql, _ in parts) + ")",
                [p for _, params in parts for p in params],
            )
        if isinstance(term, Range):
            low = self.compare(">=", term.low, *candidate)
            high = self.compare("<=", term.high, *candidate)
            return f"({low[0]} AND {high[0]})", low[1] + high[1]
        if isinstance(term, Pattern):
            return self.regex(term.pattern, *candidate)
        raise TypeError(f"not a value term: {term!r}")

    @abstractmethod
    def compare(self, op: str, value: Value, *candidate: Fragment) -> Fragment: ...

    @abstractmethod
    def regex(self, pattern: str, *candidate: Fragment) -> Fragment: ...


_SQL_OP = {"==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class _Sqlite(_Writer):
    def _member_path(self, path: Path) -> Fragment:
        """SQL for the JSON path (relative to the instance ``i.value``) of the target."""
        prefix = "$" + "".join(_json_key(iri) for iri in path.sub_iris)
        if path.member is not None:
            return "?", [prefix + _json_key(path.member)]
        cases = " ".join(f"WHEN '{kind}' THEN '.{m}'" for kind, m in VALUE_MEMBER.items())
        keys = "".join(_json_key(k) for k in path.keys)
        sql = f"(? || CASE json_extract(i.value, ?) {cases} ELSE '.value' END || ?)"
        return sql, [prefix, prefix + ".type", keys]

    def _instances(self, path: Path, where: Fragment) -> Fragment:
        attr = "$.attrs" + _json_key(path.attr_iri)
        sql = f"EXISTS (SELECT 1 FROM json_each({self.column}, ?) AS i WHERE {where[0]})"
        return sql, [attr, *where[1]]

    def exists(self, path: Path) -> Fragment:
        prefix = "$" + "".join(_json_key(iri) for iri in path.sub_iris)
        if path.member is not None:
            where: Fragment = (
                "json_type(i.value, ?) IS NOT NULL",
                [prefix + _json_key(path.member)],
            )
        elif not path.keys:
            where = ("json_type(i.value, ?) = 'object'", [prefix])
        else:
            target, params = self._member_path(path)
            where = (f"json_type(i.value, {target}) IS NOT NULL", params)
        return self._instances(path, where)

    def value_term(self, term: ValueTerm) -> Fragment:
        # One CASE on the JSON type of the target: scalars (the common case) are compared
        # directly, arrays and objects through json_each. CASE evaluates only the arm taken,
        # which keeps the number of JSON parses per row low.
        target, tparams = self._member_path(term.path)
        neg = "NOT " if term.negated else ""
        arms: list[str] = []
        params: list[Any] = [*tparams]

        def arm(when: str, sql: str, arm_params: list[Any]) -> None:
            arms.append(f"WHEN '{when}' THEN {neg}{sql}")
            params.extend(arm_params)

        cond, cparams = self.condition(term)
        arm(
            "array",
            f"EXISTS (SELECT 1 FROM json_each(i.value, {target}) AS v WHERE {cond})",
            [*tparams, *cparams],
        )
        unwrapped = f"({target} || '.\"@value\"')"
        value_object = (
            f"EXISTS (SELECT 1 FROM json_each(i.value, {unwrapped}) AS v"
            f" WHERE json_type(i.value, {unwrapped}) <> 'object' AND {cond})"
        )
        object_params = [*tparams, *tparams, *cparams]
        if term.path.member is None and not term.path.keys:
            prefix = "$" + "".join(_json_key(iri) for iri in term.path.sub_iris)
            value_object = (
                "(CASE WHEN json_extract(i.value, ?) = 'LanguageProperty' THEN EXISTS"
                f" (SELECT 1 FROM json_each(i.value, {target}) AS v WHERE {cond})"
                f" ELSE {value_object} END)"
            )
            object_params = [prefix + ".type", *tparams, *cparams, *object_params]
        arm("object", value_object, object_params)
        scalar: Fragment = (f"json_extract(i.value, {target})", tparams)
        for json_type in ("integer", "real", "text", "true", "false", "null"):
            sql, arm_params = self.condition(term, (f"'{json_type}'", []), scalar)
            arm(json_type, sql, arm_params)
        where = f"CASE json_type(i.value, {target}) {' '.join(arms)} ELSE 0 END"
        return self._instances(term.path, (where, params))

    def compare(self, op: str, value: Value, *candidate: Fragment) -> Fragment:
        (kind_sql, kind_params), (value_sql, value_params) = candidate or (
            ("v.type", []),
            ("v.value", []),
        )
        kind = value.compares_as
        if kind == "boolean":
            return f"({kind_sql} = '{'true' if value.value else 'false'}')", list(kind_params)
        types = f"{kind_sql} IN ('integer', 'real')" if kind == "number" else f"{kind_sql} = 'text'"
        return (
            f"({types} AND {value_sql} {_SQL_OP[op]} ?)",
            [*kind_params, *value_params, value.value],
        )

    def regex(self, pattern: str, *candidate: Fragment) -> Fragment:
        (kind_sql, kind_params), (value_sql, value_params) = candidate or (
            ("v.type", []),
            ("v.value", []),
        )
        return (
            f"({kind_sql} = 'text' AND {value_sql} REGEXP ?)",
            [*kind_params, *value_params, pattern],
        )


class _Postgres(_Writer):
    def _lateral(self, path: Path) -> Fragment:
        """FROM clause: instances ``i(x)``, the path's node ``n.node`` and target ``r.t``."""
        params: list[Any] = [path.attr_iri]
        node = "i.x" + "".join(" -> %s::text" for _ in path.sub_iris)
        params += list(path.sub_iris)
        if path.member is not None:
            target = f"n.node -> '{path.member}'"
        else:
            cases = " ".join(
                f"WHEN '{kind}' THEN n.node -> '{m}'" for kind, m in VALUE_MEMBER.items()
            )
            target = f"(CASE n.node ->> 'type' {cases} ELSE n.node -> 'value' END)"
            target = "(" + target + "".join(" -> %s::text" for _ in path.keys) + ")"
            params += list(path.keys)
        lang = "false"
        if path.member is None and not path.keys:
            lang = "(n.node ->> 'type') = 'LanguageProperty'"
        # OFFSET 0 keeps the planner from inlining r, which would recompute the target's
        # CASE for every reference to r.t.
        sql = (
            f"jsonb_array_elements({self.column} -> 'attrs' -> %s::text) AS i(x)"
            f" CROSS JOIN LATERAL (SELECT {node} AS node) AS n"
            " CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(n.node) = 'object'"
            f" THEN {target} END AS t, {lang} AS lang OFFSET 0) AS r"
        )
        return sql, params

    def exists(self, path: Path) -> Fragment:
        frm, params = self._lateral(path)
        if path.member is not None:
            where = f"jsonb_typeof(n.node) = 'object' AND (n.node -> '{path.member}') IS NOT NULL"
        elif not path.keys:
            where = "jsonb_typeof(n.node) = 'object'"
        else:
            where = "r.t IS NOT NULL"
        return f"EXISTS (SELECT 1 FROM {frm} WHERE {where})", params

    def value_term(self, term: ValueTerm) -> Fragment:
        frm, params = self._lateral(term.path)
        cond, cparams = self.condition(term)
        elements = (
            "CASE WHEN r.t IS NULL THEN '[]'::jsonb"
            " WHEN r.lang AND jsonb_typeof(r.t) = 'object' THEN jsonb_path_query_array(r.t, '$.*')"
            " WHEN jsonb_typeof(r.t) = 'array' THEN r.t"
            " WHEN jsonb_typeof(r.t) = 'object' THEN (CASE"
            " WHEN jsonb_typeof(r.t -> '@value') = 'array' THEN r.t -> '@value'"
            " WHEN r.t -> '@value' IS NULL OR jsonb_typeof(r.t -> '@value') = 'object'"
            " THEN '[]'::jsonb ELSE jsonb_build_array(r.t -> '@value') END)"
            " ELSE jsonb_build_array(r.t) END"
        )
        found = f"EXISTS (SELECT 1 FROM jsonb_array_elements({elements}) AS c(v) WHERE {cond})"
        # Scalars (the common case) are compared directly; CASE evaluates only its arm.
        scalar, sparams = self.condition(term, ("r.t", []))
        neg = "NOT " if term.negated else ""
        where = (
            "CASE WHEN r.t IS NULL THEN false"
            f" WHEN jsonb_typeof(r.t) IN ('array', 'object') THEN {neg}{found}"
            f" ELSE {neg}{scalar} END"
        )
        return f"EXISTS (SELECT 1 FROM {frm} WHERE {where})", [*params, *cparams, *sparams]

    def compare(self, op: str, value: Value, *candidate: Fragment) -> Fragment:
        c = candidate[0][0] if candidate else "c.v"
        kind = value.compares_as
        if kind == "boolean":
            return f"({c} = '{'true' if value.value else 'false'}'::jsonb)", []
        sql_op = _SQL_OP[op]
        if kind == "number":
            number = value.value
            param = Decimal(repr(number)) if isinstance(number, float) else number
            return (
                f"(CASE WHEN jsonb_typeof({c}) = 'number'"
                f" THEN ({c})::numeric {sql_op} %s::numeric ELSE false END)",
                [param],
            )
        return (
            f"(CASE WHEN jsonb_typeof({c}) = 'string'"
            f" THEN ({c} #>> '{{}}') COLLATE \"C\" {sql_op} %s::text ELSE false END)",
            [value.value],
        )

    def regex(self, pattern: str, *candidate: Fragment) -> Fragment:
        c = candidate[0][0] if candidate else "c.v"
        return (
            f"(CASE WHEN jsonb_typeof({c}) = 'string' THEN ({c} #>> '{{}}') ~ %s::text ELSE false END)",
            [pattern],
        )
