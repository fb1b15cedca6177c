"""The one exception for a file the user handed nginxlint that it cannot
use (a policy, a project config): it names the file and line, and the CLI
prints it as one `nginxlint: error: FILE:LINE: message` line, exit 2."""
from __future__ import annotations


class FileError(Exception):
    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"
