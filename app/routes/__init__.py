"""Routes, one module per kind of user; each route is thin and calls a service."""
