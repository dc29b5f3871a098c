"""The `ogi` command: a thin layer over crawler/ and normalize/."""
