"""Participation: processes with phases, the idea pool, supports, comments, moderation,
official answers, following and notifications, and surveys."""
