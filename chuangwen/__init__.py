"""创文 (chuangwen): the civilized-city office's quarterly data pipeline. This package is the application:
the command line (cli.py) and what only it uses. Nothing in the layers below imports it; importing it does
nothing (the command line calls core.runtime.configure() when it starts)."""
