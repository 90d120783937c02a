"""The modal screens: help, fix confirmation, ordered sync and port-forwards."""
