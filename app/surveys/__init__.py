"""Surveys: builder, audiences, one response per person, results with small-number suppression."""
