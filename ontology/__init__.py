"""The councilkg vocabulary (``councilkg.ttl``) and its strict Python namespace."""
