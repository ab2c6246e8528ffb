"""Command modules of the ``kg`` CLI; each registers its commands on ``kg.cli.app``."""
