from kftui.cli import run

run()
