"""The runner: the stage list (``stages.build``), options, lock, build state, executors, casting and previews."""
