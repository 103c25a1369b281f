"""What staff run, from the command line and the buttons, each through one guarded session."""
