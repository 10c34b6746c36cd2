"""Region and cities: every city-scoped URL is ``/<city>/…``."""
