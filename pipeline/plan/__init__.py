"""What a build will make: its options, every chapter's clips and files (the plan stage), and
the build state: which inputs made each output last time. Publish writes what is planned here."""
