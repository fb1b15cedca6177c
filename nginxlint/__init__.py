"""nginxlint: a linter and policy checker for nginx configuration."""

__version__ = "0.1.0"
