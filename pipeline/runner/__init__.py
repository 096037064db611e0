"""The build stage: options, lock, state, the stage list (``stages.build``), casting and previews."""
