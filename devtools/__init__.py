"""Development tooling: the local stack, the test servers, seeders, benchmarks and the
load test.

Installed (``INSTALLED_APPS``) only by the local, test and benchmark settings and left
out of the production image (``.dockerignore``). It may import the portal's apps; no
module of the portal imports it.
"""
