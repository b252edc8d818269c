"""Benchmarks: `make bench` (load), `make faults` (failures under load) and one script per part."""
