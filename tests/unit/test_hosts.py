"""services/common/hosts.py as an exported service meets it: called by a peer as `orders:5100`."""

from services.orders import create_app


def health_status(app, host: str) -> int:
    return app.test_client().get("/health", headers={"Host": host}).status_code


def test_a_service_built_with_its_name_allowed_answers_that_host_with_any_port(tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORM_ALLOWED_HOSTS", "orders")
    app = create_app({"DATA_DIR": str(tmp_path)})
    assert health_status(app, "orders:5100") == 200
    assert health_status(app, "ORDERS") == 200
    assert health_status(app, "delivery:5200") == 421


def test_without_it_a_peers_call_by_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("PLATFORM_ALLOWED_HOSTS", raising=False)
    app = create_app({"DATA_DIR": str(tmp_path)})
    assert health_status(app, "orders:5100") == 421
    assert health_status(app, "localhost:5100") == 200
