"""Blueprints of the explorer: each view reads the request, calls one function, renders."""
