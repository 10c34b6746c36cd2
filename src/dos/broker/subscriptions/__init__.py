"""Subscriptions and notifications (ETSI GS CIM 009 §5.8, §5.11): guaranteed delivery.

A change that matches a subscription writes its notification into the ``outbox`` table in the
same transaction (:mod:`dos.broker.subscriptions.outbox`); the dispatcher
(:mod:`dos.broker.subscriptions.dispatcher`) delivers from there with retries.
"""
