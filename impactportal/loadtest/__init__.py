"""``manage.py loadtest``: mixed journeys of every role against gunicorn.

``setup`` prepares accounts and sessions, ``journeys`` walks the portal as each role
does, ``client`` is the asyncio HTTP client the virtual users share, ``server`` starts
gunicorn and ``report`` prints the table (docs/benchmarks.md). The app is installed by
the local and test settings only.
"""
