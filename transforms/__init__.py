"""Pure functions over frames and typed values: no paths, no Prefect, no printing. Intake (ingest,
normalise, reshape), scoring (score, rank, scoring), what the office does with the scores (assess: lists,
orders, goals, sdg_progress, robustness; history is the typed earlier-quarters value it reads) and the
documents' typed contexts (documents/)."""
