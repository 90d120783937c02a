"""The terminal UI: the Textual app, its screens and widgets, and the Textual-free rules they follow.

scheduler.py (when to apply changes and re-run checks) and tree_keys.py (the tree's key scheme) import no
Textual, so they are tested without it. Nothing below kftui/ui imports from here.
"""
