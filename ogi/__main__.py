"""`python -m ogi …`: the same as the `ogi` command."""

from ogi.launch import main

main()
