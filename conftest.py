"""Root pytest configuration: headless matplotlib for tests and doctests."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")
