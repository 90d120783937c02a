"""Textual only: the app, its screens and widgets. Nothing below kftui/ui imports from here."""
