"""Innspill's text analysis: Norwegian preprocessing, focus-area tagging and themes.

Imports nothing from Flask. The web app calls :mod:`analysis.service`; the command line
is ``python -m analysis``.
"""

from .focus_areas import FocusAreaSpec, load_default_focus_areas

__all__ = ["FocusAreaSpec", "load_default_focus_areas"]
__version__ = "0.3.1"
