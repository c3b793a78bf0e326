"""``backprop.ui.nodelay``: Nagle's algorithm off on the server's listening sockets and the
connections they accept, as Streamlit's own server (a listener with ``proto`` 0) leaves it on."""

from __future__ import annotations

import socket
import sys

import pytest

from backprop.ui import nodelay

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sockets")


def _nodelay(s: socket.socket) -> int:
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.fixture
def server():
    """A listener bound as Streamlit binds it (``socket.socket(family)``: proto 0), one
    connection accepted on it, and that connection's client end."""
    listener = socket.socket(socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    yield listener, accepted, client
    for s in (client, accepted, listener):
        s.close()


def test_a_listener_bound_with_proto_0_leaves_nagle_on(server):
    """The defect itself: what asyncio checks before it sets TCP_NODELAY is not there."""
    listener, accepted, _ = server
    assert listener.proto == 0 and accepted.proto == 0
    assert _nodelay(accepted) == 0


def test_listener_and_accepted_connections_get_nodelay(server):
    listener, accepted, client = server
    fds = [listener.fileno(), accepted.fileno(), client.fileno()]
    assert nodelay.disable_nagle(fds) == 2  # the listener and the connection it accepted
    assert _nodelay(listener) == 1 and _nodelay(accepted) == 1
    assert _nodelay(client) == 0, "a connection this process opened is not touched"
    later = socket.create_connection(listener.getsockname())
    new, _ = listener.accept()
    try:
        assert _nodelay(new) == 1, "a connection accepted afterwards inherits it"
    finally:
        later.close()
        new.close()
    assert listener.fileno() >= 0 and _nodelay(accepted) == 1, "the originals stay open"


def test_by_default_it_finds_the_process_sockets_itself(server):
    listener, accepted, _ = server
    assert nodelay.disable_nagle() >= 2
    assert _nodelay(listener) == 1 and _nodelay(accepted) == 1


def test_what_is_not_a_tcp_socket_is_skipped(tmp_path, server):
    listener, _, _ = server
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with open(tmp_path / "f", "w") as f, udp:
        assert nodelay.disable_nagle([f.fileno(), udp.fileno(), 10_000]) == 0
        f.write("still open")
    assert _nodelay(listener) == 0
