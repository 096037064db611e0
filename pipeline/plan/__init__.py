"""What a build will make: its options, and every chapter's clips and files (the plan stage)."""
