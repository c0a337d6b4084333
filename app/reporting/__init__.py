"""Reporting to funders: projects (a funded set of programmes), targets as data, indicators
computed from what the platform records, dashboards and exports with small numbers
suppressed."""
