"""The terminal tier: the real `kftui --demo` in real terminals (tmux, raw ptys); `make test-terminal`, needs tmux."""
