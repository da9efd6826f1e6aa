"""``manage.py loadtest``: mixed journeys of every role against gunicorn, with Locust.

``setup`` prepares accounts, sessions and the pages to visit (the plan), ``journeys``
walks the portal as each role does, ``forms`` fills in forms as a browser does,
``locustfile`` holds Locust's virtual users, ``run`` starts Locust headless and reads
back what it measured, and ``report`` prints the table (docs/benchmarks.md).
"""
