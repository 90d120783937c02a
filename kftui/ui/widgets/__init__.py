"""The widgets the app composes: tree, diagnostics, details, status line, banners and filter box."""
