"""Workflows that touch campaigns, sends, bounce events and learners."""
