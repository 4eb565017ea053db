"""`python -m tms_entrypoints.cli`, the same as `tms`."""

from tms_entrypoints.cli import main

main()
