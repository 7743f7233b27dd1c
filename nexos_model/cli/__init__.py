"""The ``nexos`` command: one module per group of subcommands, loaded only when run."""
