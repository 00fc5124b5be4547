"""Prefect flows and their thin task bodies (tasks.py), schedules, the local server and deployments.

Importing this package calls core.runtime.configure() first: a Prefect worker imports a flow by its
entrypoint without going through the command line, and Prefect must find its home folder and telemetry
switches set before it is imported."""

from core.runtime import configure

configure()
