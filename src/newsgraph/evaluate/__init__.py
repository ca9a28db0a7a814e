"""Evaluation of newsgraph against public data written by others (see docs/evaluation.md)."""
