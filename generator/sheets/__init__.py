"""Spreadsheets at the edges: which column of someone's export holds which field (`columns`), and
text made safe to put in a cell a spreadsheet would otherwise run as a formula (`cells`). Both the
hotline import (generator/monitor) and the survey's exports and fieldwork frame use them, so they
belong to neither.
"""
