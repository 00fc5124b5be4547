"""The lowest layer: quarter ids, Chinese wording, the return's layout, problems and fault points.
Standard library only; importing it changes nothing (no folders, no environment variables)."""
