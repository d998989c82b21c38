"""The dashboard's one error type, answered as the services' JSON envelope."""

from __future__ import annotations


class DashboardError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
