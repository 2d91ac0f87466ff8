"""Measure: the metric catalogue, CRM imports, evaluation, audit and levers."""
