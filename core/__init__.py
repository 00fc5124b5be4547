"""The lowest layer, standard library only, nothing done on import: quarter ids (quarters), Chinese
wording (zh), the return's layout (layout), problems (problems), the pipeline's words (vocab), output
names (outputs), the state folder and telemetry switches (runtime) and fault points (faults)."""
