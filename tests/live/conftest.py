"""Fixtures for the live experiments: real nginx, the test CA, the recording backend.

Without nginx or openssl the live tests skip locally and fail under CI
(``CI=true``), as tests/test_samples_nginx.py does. When a test fails, the
error logs of every nginx it started (and any backend failure) are added
to its report.
"""
from __future__ import annotations

import os

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

if os.environ.get("CI") != "true":  # under CI a missing test extra is an error, not a skip
    pytest.importorskip("websockets", reason="websockets not installed (pip install '.[test]'): "
                        "the live experiments need a real WebSocket client and server")

from ..conftest import WITHOUT_SECURITY_PACKS, require_tool
from .harness import Backend, Live, make_certs, nginx_version


@pytest.fixture(scope="session")
def nginx_bin():
    return require_tool("nginx", "the live WebSocket experiments need real nginx", "/usr/sbin/nginx")


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("ca"), require_tool("openssl", "the live WebSocket experiments need a test CA"))


@pytest.fixture
def backend():
    """A started Backend; a handler that failed during the test fails it at teardown, with the traceback."""
    server = Backend().start()
    try:
        yield server
    finally:
        server.stop()
    server.raise_errors()


@pytest.fixture
def live(nginx_bin, certs, backend, tmp_path):
    """A Live for this test; every nginx it started is stopped at teardown, pass or fail."""
    session = Live(nginx_bin, certs, tmp_path, backend)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def lint(nginx_bin):
    """lint(path, **params) -> findings of nginxlint on one http-context file, for the nginx that runs it.
    The experiments are about the WebSocket packs (websocket-streaming turned on too): the security packs are left out."""
    version = nginx_version(nginx_bin)

    def run(path, **params):
        options = CheckOptions(params=params, nginx_version=version, context="http", selection=WITHOUT_SECURITY_PACKS,
                               packs=["websocket-streaming"])
        result = check([str(path)], options, prepare(options))
        assert not result.errors, result.errors
        return result.findings

    return run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, show what nginx logged and how the backend failed next to the assertion."""
    report = yield
    session = getattr(item, "funcargs", {}).get("live")
    if report.failed and isinstance(session, Live):
        report.sections.append(("nginx error logs and backend failures", session.diagnostics()))
    return report
