"""Evaluator analysis: results from a responses DataFrame, weighting, and streaming exports.

Pure pandas functions (DataFrame in, DataFrame out) that know nothing about the database: the
repository turns stored responses into the frame described in `columns`, and views render what
these functions return. Every figure travels with its n and its definition text.
"""
