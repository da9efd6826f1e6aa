"""What the benchmark server says about each request (``impactportal.settings.benchmark``)."""

import time

from django.db import connection


class QueryCountMiddleware:
    """Says in response headers how many SQL queries a request took, how long they took
    and how long Django took in all (``X-Query-Count``, ``X-Query-Time``,
    ``X-Server-Time``; times in milliseconds)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count, spent = 0, 0.0

        def counter(execute, sql, params, many, context):
            nonlocal count, spent
            count += 1
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent += time.perf_counter() - started

        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        response["X-Query-Time"] = f"{spent * 1000:.2f}"
        response["X-Server-Time"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        return response
