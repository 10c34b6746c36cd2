"""The temporal API (ETSI GS CIM 009 §5.6.11-§5.6.16, §5.7.3-§5.7.4): attribute histories.

Every change made through the entity API appends attribute instances to ``attr_history`` in
the same transaction (:mod:`dos.broker.temporal.history`, called by the store session);
:mod:`dos.broker.temporal.read` queries and aggregates them in SQL, and
:mod:`dos.broker.temporal.render` turns rows into the temporal representations.
:mod:`dos.broker.temporal.retention` holds the retention policies per tenant and entity type,
and :mod:`dos.broker.temporal.rollup` applies them (raw instances → hourly/daily rollups that
aggregates still read).
"""
