"""A Streamlit browser tab without the browser: one session over the app's websocket.

``WsSession`` speaks the protocol of Streamlit's frontend on ``/_stcore/stream``: protobuf
``BackMsg`` up, ``ForwardMsg`` down. It does what a tab that only clicks does, and no more:

- open a page: a ``rerun_script`` BackMsg with ``page_name`` set from the URL path and no
  ``page_script_hash`` (as the frontend's first rerun); later reruns send the page's
  ``page_script_hash`` (from ``new_session``, then ``navigation`` in an ``st.navigation``
  app) and the query string the app last set (``page_info_changed``), as the frontend does;
- widget states: every widget element sets its value the way the frontend's widget does on
  mount (the value the server sent with ``set_value``, else its default) and keeps it while
  the widget stays on the page; each rerun sends all of them, as ``WidgetStateManager`` does;
  after a run, the states of widgets the run did not draw again are dropped (in a fragment
  run, only within its fragments), as ``removeInactiveWidgetState`` does;
- a button click: the button's ``trigger_value`` set for one rerun, with the ``fragment_id``
  of the delta that drew the button (a click inside ``st.fragment`` reruns only that);
- a components-v2 element's ``setTriggerValue(event, value)``: one rerun with the
  element's trigger widget ``$$STREAMLIT_INTERNAL_KEY_<element id>__events`` set to
  ``json_trigger_value = '[{"event": event, "value": value}]'`` and the ``fragment_id``
  of the delta that drew the element, as the frontend's ``WidgetStateManager`` sends it
  (``send_event`` sends it without waiting, as a browser may while a run is going on: the
  server queues a fragment rerun behind the run in progress; ``receive`` handles what
  arrives meanwhile);
- Streamlit's message cache: the server replaces a large element the tab already holds
  (``metadata.cacheable``, listed in ``cached_message_hashes``) by a ``ref_hash``
  reference; this client keeps such messages and expires them after
  ``max_cached_message_age`` runs exactly as the frontend's ``ForwardMessageCache``, so the
  server sends what it would send to a browser.

- cookies: with ``fetch_cookies`` the tab first asks ``/_stcore/health`` as the frontend does
  before it opens its socket, and keeps the cookies it is given there and on the socket's
  handshake (Streamlit's ``_streamlit_xsrf``; behind the deploy's nginx, the ``bpworker``
  route cookie naming the session's worker); the socket sends them, and the XSRF token as
  the second subprotocol, as the frontend does.

Nothing the server sends needs an answer (``heartbeat_ack`` only answers the frontend's own
``app_heartbeat``, which a session of a few minutes does not need).

The live board's own line (``backprop/ui/line.py``), where the app serves it: the board's
payload names it (``line: {token, path}`` in its header). :class:`BoardLine` is that
socket (same host and port as the page, the same cookies); :class:`BoardTab` is a
Playground tab whose board does what ``board.js`` does with it (``connect``, ``fromScript``,
``fromLine``, ``lineClick``, ``shown``): ``hello``; Step, Epoch, Play and Pause as
messages; frames of Play queued and drawn at most ``LINE_FPS`` a second, each answered with
``shown``; a paused frame drawn at once and answered with ``shown``; ``sync``: the board's
trigger on the Streamlit socket (one script run); a script run's ``pull``: ``frame``.

Stdlib, ``websockets`` and ``streamlit.proto`` only, both installed with Streamlit.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from backprop.viz.frames import unpack  # the importer puts the checkout on sys.path

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
# widgets that hold no state until clicked (or whose state this client never sets)
STATELESS = {"button", "download_button", "link_button", "bidi_component", "page_link"}
INTERNAL_KEY_PREFIX = "$$STREAMLIT_INTERNAL_KEY"  # streamlit.runtime.state.session_state
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's, set by /_stcore/health among others
CHECKOUT = Path(__file__).resolve().parents[1]


def board_js_const(name: str) -> int:
    """A constant of the board's script (``const NAME = 12;``), so the pacing follows it."""
    text = (CHECKOUT / "backprop" / "ui" / "board.js").read_text(encoding="utf-8")
    m = re.search(rf"^const {name} = (\d+);", text, re.MULTILINE)
    if m is None:
        raise RuntimeError(f"no 'const {name} = <int>;' in backprop/ui/board.js")
    return int(m.group(1))


def line_const(name: str) -> float:
    """A module constant of the board's line (``backprop/ui/line.py``: ``LEAD``, ``RATE``,
    ``BURST``), read from its source: importing it would start Streamlit's caches here."""
    tree = ast.parse((CHECKOUT / "backprop" / "ui" / "line.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id == name:
            return ast.literal_eval(value)
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            for t, v in zip(target.elts, value.elts):
                if isinstance(t, ast.Name) and t.id == name:
                    return ast.literal_eval(v)
    raise RuntimeError(f"no constant {name} in backprop/ui/line.py")


def take_cookies(set_cookies: list[str], jar: dict[str, str]) -> None:
    """Keep each ``Set-Cookie`` header's name and value in ``jar`` (attributes ignored: every
    cookie here is for the one host and ``Path=/``)."""
    for text in set_cookies:
        name, _, rest = text.partition("=")
        if name.strip():
            jar[name.strip()] = rest.split(";", 1)[0].strip()


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def widget_key(widget_id: str) -> str:
    """The ``key=`` of a keyed widget from its id (``$$ID-<hash>-<key>``), else ''."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") else ""


def event_state(component_id: str, event: str, value: object) -> WidgetState:
    """The state a components-v2 element's ``setTriggerValue(event, value)`` sends: its
    trigger widget (``<prefix>_<element id>__events``) with the events as a JSON list."""
    s = WidgetState(id=f"{INTERNAL_KEY_PREFIX}_{component_id}__events")
    s.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return s


def _set_strings(state: WidgetState, values) -> WidgetState:
    state.string_array_value.data.extend(values)
    return state


def initial_state(kind: str, el) -> WidgetState | None:
    """The state a freshly mounted widget of type ``kind`` reports (None: it reports none).

    Covers the widget types the app's pages draw; ``UnknownWidget`` for any other."""
    s = WidgetState(id=el.id)
    if kind == "selectbox" or kind == "radio":
        if el.set_value:
            s.string_value = el.raw_value
        elif el.HasField("default"):
            s.string_value = el.options[el.default]
        else:
            return None
    elif kind == "number_input":
        v = el.value if el.set_value else el.default
        if el.data_type == NumberInput.INT:
            s.int_value = int(v)
        else:
            s.double_value = v
    elif kind == "slider":
        if el.type == Slider.SELECT_SLIDER:
            vals = el.raw_value if el.set_value else [el.options[int(i)] for i in el.default]
            return _set_strings(s, vals)
        s.double_array_value.data.extend(el.value if el.set_value else el.default)
    elif kind == "multiselect":
        vals = el.raw_values if el.set_value else [el.options[i] for i in el.default]
        return _set_strings(s, vals)
    elif kind == "button_group":
        vals = el.raw_values if el.set_value else [el.options[i].content for i in el.default]
        return _set_strings(s, vals)
    elif kind in ("checkbox", "toggle"):
        s.bool_value = el.value if el.set_value else el.default
    elif kind in ("text_input", "text_area"):
        s.string_value = el.value if el.set_value else el.default
    elif kind == "file_uploader":
        s.file_uploader_state_value.SetInParent()
    else:
        raise UnknownWidget(kind)
    return s


class UnknownWidget(Exception):
    """A widget type whose initial state this client does not know."""


class ScriptError(Exception):
    """The app's script raised (an ``exception`` element) or the page was not found."""


@dataclass
class _Cached:
    msg: bytes
    run_count: int
    fragment_id: str


@dataclass
class _Widget:
    state: WidgetState
    fragment_id: str
    run: int  # the last run that drew it


@dataclass
class Click:
    """One click: ms from sending it to the watched value changing and to the run ending."""

    value_ms: float | None
    finished_ms: float
    before: int | None
    after: int | None
    status: int


def board_header(payload: bytes) -> dict | None:
    """The header of a live-board payload (decoded with the board's own
    :func:`backprop.viz.frames.unpack`), or None for anything else."""
    try:
        header, _ = unpack(payload)
    except ValueError:
        return None
    return header if isinstance(header, dict) else None


def last_step(header: dict | None) -> int | None:
    """The step of the last frame a board payload's header lists (None: no frame)."""
    step = ((header or {}).get("frames") or [{}])[-1].get("step")
    return step if isinstance(step, int) else None


def board_step(payload: bytes) -> int | None:
    """The step of the last frame in a live-board chunk, or None for anything else (a
    header-only payload of a script run while the board's line is open)."""
    return last_step(board_header(payload))


@dataclass
class WsSession:
    """One simulated tab on ``page`` (URL path without '/'; '' is the default page).

    ``watch_component`` names the live board (a components-v2 element) whose step, the
    last frame's ``step`` in its payload, a click is timed to. ``on_component(key, element)`` is
    called with every components-v2 element (``BidiComponent``) a delta draws."""

    port: int
    page: str = ""
    host: str = "127.0.0.1"
    watch_component: str = "live_board"
    query_string: str = ""
    page_script_hash: str = ""
    max_age: int = 2
    widgets: dict[str, _Widget] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (id, fragment)
    components: dict[str, tuple[str, str]] = field(default_factory=dict)  # the same, v2
    on_component: Callable[[str, object], None] | None = None
    fetch_cookies: bool = False  # ask /_stcore/health first, as the frontend does
    cookies: dict[str, str] = field(default_factory=dict)  # what the server set, sent back
    board: dict | None = None  # the header of the watched board's last payload
    value: int | None = None  # the watched step, as last sent
    refs: int = 0  # ForwardMsgs the server sent by reference
    bytes_in: int = 0
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _cache_runs: int = 0
    _runs: int = 0
    _on_value: Callable[[int], None] | None = None
    _ws: object = None
    _first_rerun: bool = True

    async def open(self, timeout: float = 60) -> Click:
        if self.fetch_cookies:
            await asyncio.to_thread(self._health)
        url = f"ws://{self.host}:{self.port}/_stcore/stream"
        xsrf = self.cookies.get(XSRF_COOKIE)
        self._ws = await connect(
            url,
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            additional_headers={"Cookie": cookie_header(self.cookies)} if self.cookies else None,
            max_size=None,
            open_timeout=timeout,
        )
        take_cookies(self._ws.response.headers.get_all("Set-Cookie"), self.cookies)
        return await self._rerun(timeout=timeout)

    def _health(self) -> None:
        """``GET /_stcore/health`` with the tab's cookies, keeping those it sets."""
        url = f"http://{self.host}:{self.port}/_stcore/health"
        headers = {"Cookie": cookie_header(self.cookies)} if self.cookies else {}
        req = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 (loopback only)
            r.read()
            take_cookies(r.headers.get_all("Set-Cookie") or [], self.cookies)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def click(self, key: str, timeout: float = 30) -> Click:
        """Click the button ``key=key`` and wait for the run it starts to finish."""
        wid, fragment_id = self.buttons[key]
        trigger = WidgetState(id=wid, trigger_value=True)
        return await self._rerun(trigger=trigger, fragment_id=fragment_id, timeout=timeout)

    async def trigger(self, key: str, event: str, value: object, timeout: float = 30) -> Click:
        """The components-v2 element ``key=key`` calls ``setTriggerValue(event, value)``
        (as the live board does when it takes a Step click); wait for that run to finish."""
        cid, fragment_id = self.components[key]
        state = event_state(cid, event, value)
        return await self._rerun(trigger=state, fragment_id=fragment_id, timeout=timeout)

    async def send_event(self, key: str, event: str, value: object) -> None:
        """The components-v2 element ``key=key`` calls ``setTriggerValue(event, value)``:
        send that rerun and return at once (``receive`` handles what the server sends)."""
        cid, fragment_id = self.components[key]
        msg = self._rerun_msg(event_state(cid, event, value), fragment_id)
        await self._ws.send(msg.SerializeToString())

    async def receive(self, timeout: float) -> int | None:
        """Handle what arrives for up to ``timeout`` s: the status of a run that ended (not
        cut short by another rerun) as soon as one does, else None."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(self._ws.recv(), left)  # cancelling recv is safe
            except TimeoutError:
                return None
            status = self._handle(raw)
            if status is not None:
                return status
        return None

    # --- sending --------------------------------------------------------------------
    def _rerun_msg(self, trigger: WidgetState | None, fragment_id: str) -> BackMsg:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        if self._first_rerun:  # the frontend's first rerun names the page by its URL
            rs.page_name = self.page
            self._first_rerun = False
        else:
            rs.page_script_hash = self.page_script_hash
        rs.fragment_id = fragment_id
        rs.widget_states.widgets.extend(w.state for w in self.widgets.values())
        if trigger is not None:  # a trigger is set for this one rerun
            rs.widget_states.widgets.append(trigger)
        rs.cached_message_hashes.extend(self._cache)
        ci = rs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url = f"http://{self.host}:{self.port}/{self.page}"
        ci.color_scheme = "light"
        return msg

    async def _rerun(self, trigger=None, fragment_id: str = "", timeout: float = 30) -> Click:
        before, t_value = self.value, None
        t0 = time.perf_counter()

        def changed(v: int) -> None:
            nonlocal t_value
            if t_value is None and v != before:
                t_value = time.perf_counter()

        self._on_value = changed
        await self._ws.send(self._rerun_msg(trigger, fragment_id).SerializeToString())
        try:
            status = await asyncio.wait_for(self._until_finished(), timeout)
        finally:
            self._on_value = None
        t_end = time.perf_counter()
        value_ms = None if t_value is None else 1000 * (t_value - t0)
        return Click(value_ms, 1000 * (t_end - t0), before, self.value, status)

    # --- receiving ------------------------------------------------------------------
    async def _until_finished(self) -> int:
        """Handle messages up to the end of the run (not one cut short by another rerun)."""
        while True:
            status = self._handle(await self._ws.recv())
            if status is not None:
                return status

    def _handle(self, raw: bytes) -> int | None:
        """Handle one message; the status if it ends a run (not one cut short), else None."""
        self.bytes_in += len(raw)
        msg = self._resolve(raw)
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            self._finished(msg)
            if msg.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                return msg.script_finished
        elif kind == "delta":
            self._delta(msg)
        elif kind == "new_session":
            self.page_script_hash = msg.new_session.page_script_hash
            self.max_age = msg.new_session.config.max_cached_message_age
            self._runs += 1
        elif kind == "navigation":  # an st.navigation app: the page that ran
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            raise ScriptError(f"page not found: {msg.page_not_found.page_name!r}")
        return None

    def _resolve(self, raw: bytes) -> ForwardMsg:
        """Parse, cache if cacheable, and replace a reference by the cached message."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "ref_hash":
            self.refs += 1
            hit = self._cache[msg.ref_hash]  # a miss is a protocol error, as in the frontend
            hit.run_count = self._cache_runs
            full = ForwardMsg()
            full.ParseFromString(hit.msg)
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash:
            if msg.hash in self._cache:
                self._cache[msg.hash].run_count = self._cache_runs
            else:
                frag = msg.delta.fragment_id if msg.HasField("delta") else ""
                self._cache[msg.hash] = _Cached(raw, self._cache_runs, frag)
        return msg

    def _delta(self, msg: ForwardMsg) -> None:
        d = msg.delta
        if d.HasField("add_block"):
            return
        if not d.HasField("new_element"):
            return
        kind = d.new_element.WhichOneof("type")
        el = getattr(d.new_element, kind)
        if kind == "exception":
            raise ScriptError(f"{el.type}: {el.message}")
        wid = getattr(el, "id", "") if kind != "metric" else ""
        if kind == "bidi_component" and widget_key(wid) == self.watch_component:
            header = board_header(el.bytes)
            if header is not None:
                self.board = header
            step = last_step(header)
            if step is not None:
                self.value = step
                if self._on_value:
                    self._on_value(step)
        if not wid:
            return
        if kind == "button":
            self.buttons[widget_key(wid)] = (wid, d.fragment_id)
        elif kind == "bidi_component":
            self.components[widget_key(wid)] = (wid, d.fragment_id)
            if self.on_component:
                self.on_component(widget_key(wid), el)
        if kind in STATELESS:
            return
        known = self.widgets.get(wid)
        if known is None or getattr(el, "set_value", False):
            state = initial_state(kind, el)
            if state is None:
                return
            known = self.widgets[wid] = _Widget(state, d.fragment_id, self._runs)
        known.run, known.fragment_id = self._runs, d.fragment_id

    def _finished(self, msg: ForwardMsg) -> None:
        status, fragments = msg.script_finished, set(msg.metadata.run.fragment_ids)
        if status in DONE:  # drop the states of widgets this run did not draw again
            self.widgets = {
                k: w
                for k, w in self.widgets.items()
                if w.run == self._runs or (fragments and w.fragment_id not in fragments)
            }
        if status != FINISHED.FINISHED_EARLY_FOR_RERUN:  # the frontend's incrementRunCount
            self._cache_runs += 1
            for h, c in list(self._cache.items()):
                if fragments and c.fragment_id not in fragments:
                    continue
                if self._cache_runs - c.run_count > self.max_age:
                    del self._cache[h]


# ---------------------------------------------------------------- the board's line
LINE_FPS = board_js_const("LINE_FPS")  # board.js draws the line's frames at most this often
DRAW_FPS = 50  # frames a second a simulated board draws (and answers with `shown`) at most
LINE_OPEN_MS = board_js_const("LINE_OPEN_MS")  # not open by then: the board stays on reruns
LEAD = int(line_const("LEAD"))  # frames the server trains ahead of the last `shown`
RATE, BURST = float(line_const("RATE")), int(line_const("BURST"))  # what closes a socket
LINE_LIFE_S = 3600  # a tab's background tasks stop after this at the latest
POLL_S = 0.25  # they look at the tab's state at least this often


class LineClosed(Exception):
    """The board's line refused the board, closed, or never opened."""


def _close_of(e: ConnectionClosed) -> tuple[int, str]:
    frame = e.rcvd
    return (frame.code, frame.reason) if frame is not None else (1006, "no close frame")


@dataclass
class LineFrame:
    """One binary message of the line: its header, when it arrived (``perf_counter``) and
    its size in bytes."""

    header: dict
    at: float
    size: int

    @property
    def step(self) -> int | None:
        return last_step(self.header)


@dataclass
class BoardLine:
    """The live board's own socket, as ``board.js``'s ``connect`` opens it: ``url`` is the
    page's host and port with the route's path; the handshake sends ``cookies`` (the
    Streamlit socket's), then the board says ``hello`` with ``token``. Each binary message
    (a ``BPF1`` payload) is handed to ``on_frame`` as it arrives; a text message is the
    server's reason for refusing one (kept in ``errors``).

    The server closes a socket that sends more than ``BURST`` messages at once or ``RATE`` a
    second on average; :meth:`room` waits until a mirror of that bucket, kept here, holds
    a few messages, for a benchmark that clicks as fast as the replies come (a person
    does not)."""

    url: str
    token: str
    cookies: dict[str, str] = field(default_factory=dict)
    on_frame: Callable[[LineFrame], None] | None = None
    payloads: int = 0
    frames: int = 0
    bytes_in: int = 0
    sent: int = 0
    paced_s: float = 0.0  # s :meth:`room` waited
    errors: list[str] = field(default_factory=list)
    closed: tuple[int, str] | None = None  # (code, reason) once the socket closed
    _ws: object = None
    _reader: asyncio.Task | None = None
    _news: asyncio.Event = field(default_factory=asyncio.Event)
    _level: float = float(BURST)
    _t: float = field(default_factory=time.monotonic)

    async def open(self, timeout: float) -> LineFrame:
        """Connect, say ``hello`` and return the server's first frame (it arrives within
        ``timeout`` s), or raise :class:`LineClosed`."""
        headers = {"Cookie": cookie_header(self.cookies)} if self.cookies else None
        try:
            self._ws = await connect(
                self.url, additional_headers=headers, max_size=None, open_timeout=timeout
            )
            await self.send("hello")
            raw = await asyncio.wait_for(self._ws.recv(), timeout)
        except ConnectionClosed as e:
            self.closed = _close_of(e)
            raise LineClosed(f"hello refused: {self.closed}") from e
        except TimeoutError as e:
            raise LineClosed(f"no frame {timeout:.0f} s after hello") from e
        if isinstance(raw, str):
            raise LineClosed(f"hello answered with {raw}")
        first = self._take(raw)
        self._reader = asyncio.create_task(self._read())
        return first

    async def send(self, op: str, seq: int = 0) -> None:
        if self.closed is not None or self._ws is None:
            raise LineClosed(f"{op} on a closed line {self.closed}")
        now = time.monotonic()
        self._level = min(BURST, self._level + (now - self._t) * RATE) - 1
        self._t, self.sent = now, self.sent + 1
        try:
            await self._ws.send(json.dumps({"op": op, "seq": seq, "token": self.token}))
        except ConnectionClosed as e:
            self.closed = _close_of(e)
            raise LineClosed(f"{op} on a closed line {self.closed}") from e

    async def room(self, n: float) -> None:
        """Wait until the mirrored bucket holds ``n`` messages."""
        now = time.monotonic()
        level = min(BURST, self._level + (now - self._t) * RATE)
        if level < n:
            wait = (n - level) / RATE
            self.paced_s += wait
            await asyncio.sleep(wait)

    async def wait(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``ready()`` (checked after each message) or ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed is not None:
                return ready()
            try:
                await asyncio.wait_for(self._news.wait(), left)
            except TimeoutError:
                return ready()
        return True

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 10)
            except TimeoutError:
                self._reader.cancel()

    def _take(self, raw: bytes) -> LineFrame:
        frame = LineFrame(board_header(raw) or {}, time.perf_counter(), len(raw))
        self.payloads += 1
        self.frames += len(frame.header.get("frames") or [])
        self.bytes_in += len(raw)
        if self.on_frame is not None:
            self.on_frame(frame)
        self._notify()
        return frame

    def _notify(self) -> None:
        news, self._news = self._news, asyncio.Event()
        news.set()

    async def _read(self) -> None:
        deadline = time.monotonic() + LINE_LIFE_S
        try:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    raw = await asyncio.wait_for(self._ws.recv(), left)
                except TimeoutError:
                    break
                if isinstance(raw, str):
                    self.errors.append(raw)
                    self._notify()
                else:
                    self._take(raw)
        except ConnectionClosed as e:
            self.closed = _close_of(e)
        finally:
            if self.closed is None:
                self.closed = (0, "reader stopped")
            self._notify()


class BoardTab:
    """A Playground tab whose live board runs on its line: the Streamlit session
    (:class:`WsSession`, with the cookies the frontend gets) and the board's
    :class:`BoardLine` (the same host, port and cookies), with what ``board.js`` does
    between the two:

    - ``fromScript``: a script run's payload with ``pull`` asks the line for the ``frame``;
      one that says ``playing`` (a board not playing yet) sends ``play``;
    - ``fromLine``: a frame of Play is queued; a clock draws the queue at most ``draw_fps``
      frames a second (``tick``, which draws at most ``LINE_FPS`` a second, on the display's
      refreshes; here strictly ``1 / draw_fps`` s apart at least, default ``DRAW_FPS``: a
      browser drawing 50 frames a second) and answers each drawn frame with ``shown`` (its
      ``seq``); any other frame (a reply to
      a click, the paused frame) is drawn at once and answered with ``shown``; ``sync``
      sends the board's ``sync`` trigger on the Streamlit socket (one script run);
      ``resume`` sends ``play``; between a click and its ``reply``, frames of Play still
      on their way are dropped;
    - ``lineClick``: Step, Epoch, Play and Pause as messages (Pause and a Step while playing
      send ``pause`` with the ``seq`` of the frame on screen). A paused Step of a board
      whose last script payload said ``fastStep: false`` goes by a script run in a browser;
      :meth:`step` refuses it (``RuntimeError``).

    Drawing itself takes no time here. ``play_frames``: frames of Play received;
    ``waits``: s from the ``shown`` that let the server send a frame of Play (the one ``LEAD``
    frames before it) to that frame's arrival."""

    def __init__(self, port: int, page: str = "playground", host: str = "127.0.0.1",
                 key: str = "live_board", draw_fps: float = DRAW_FPS) -> None:  # fmt: skip
        self.key, self.draw_fps = key, draw_fps
        self.fast_step = True  # the board takes a paused Step (header.fastStep)
        self.session = WsSession(port, page, host=host, watch_component=key,
                                 fetch_cookies=True, on_component=self._from_script)  # fmt: skip
        self.line: BoardLine | None = None
        self.playing = self.holding = False
        self.queue: deque[tuple[int, LineFrame]] = deque()  # frames of Play not drawn yet
        self.drawn_step: int | None = None  # the step of the frame on screen
        self.shown_seq = 0
        self.drawn = self.play_frames = self.replies = self.syncs = self.runs = 0
        self.last_reply: LineFrame | None = None
        self.hello_ms: float | None = None
        self.waits: list[float] = []
        self.failures: list[str] = []  # what went wrong in the background
        self._script_seq: object = None
        self._shown_at: dict[int, float] = {}
        self._last = 0.0  # the clock's last frame (board.js board.last), perf_counter s
        self._ready = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._background: list[asyncio.Task] = []
        self._closing = False  # the background loops stop (a cancel alone can be lost:
        # Python 3.11's wait_for drops one that comes as its inner recv finishes)

    @property
    def bytes_in(self) -> int:
        return self.session.bytes_in + (self.line.bytes_in if self.line else 0)

    async def open(self, timeout: float = 60) -> None:
        """Open the page, then the line its board names; :class:`LineClosed` if it names
        none (the route is not served) or the line refuses the board."""
        await self.session.open(timeout=timeout)
        self.drawn_step = self.session.value
        self.fast_step = bool((self.session.board or {}).get("fastStep", True))
        info = (self.session.board or {}).get("line")
        if not isinstance(info, dict) or not info.get("token"):
            raise LineClosed("the board's payload names no line (is app.py served?)")
        s = self.session
        url = f"ws://{s.host}:{s.port}/{str(info['path']).lstrip('/')}"
        self.line = BoardLine(url, info["token"], dict(s.cookies), on_frame=self._from_line)
        t0 = time.perf_counter()
        await self.line.open(timeout)
        self.hello_ms = 1000 * (time.perf_counter() - t0)
        self._background = [asyncio.create_task(self._pump()), asyncio.create_task(self._clock())]

    async def click(self, key: str) -> float:
        """``lineClick`` on the toolbar's ``key`` (play, step, epoch); returns the
        ``perf_counter`` time the click's message was sent at."""
        was, seq = self.playing, self.shown_seq
        t0 = time.perf_counter()
        if key == "play" and not was:
            self.playing = True
            await self.line.send("play")
            return t0
        self.playing, self.holding = False, True
        self.queue.clear()
        if key == "play":
            await self.line.send("pause", seq)
            return t0
        if was:
            await self.line.send("pause", seq)
        await self.line.send(key)
        return t0

    async def step(self, timeout: float = 30, pace: bool = True) -> Click:
        """Click Step (paused) and wait for the reply whose frame has the new step:
        ``value_ms`` = message sent -> that reply arrived; ``finished_ms`` the same, or, when
        the reply asks for a ``sync`` run, -> the frame the line sends after it. ``pace``:
        first wait for room in the line's bucket (see :class:`BoardLine`). ``TimeoutError``
        after ``timeout`` s."""
        if not self.fast_step and not self.playing:
            raise RuntimeError("fastStep is off: a browser's Step is a script run here")
        if pace:
            await self.line.room(4)
        before, replies = self.drawn_step, self.replies
        t0 = await self.click("step")
        got = await self.line.wait(
            lambda: self.replies > replies and self.last_reply.step != before, timeout
        )
        if not got:
            if self.line.closed is not None:
                raise LineClosed(f"the line closed during a Step: {self.line.closed}")
            raise TimeoutError
        reply = self.last_reply
        done = reply.at
        if reply.header.get("sync"):
            n = self.line.payloads
            if await self.line.wait(lambda: self.line.payloads > n, timeout):
                done = time.perf_counter()
        return Click(1000 * (reply.at - t0), 1000 * (done - t0), before, reply.step, 0)

    async def close(self) -> None:
        self._closing = True
        for task in self._background:
            task.cancel()
        if self._background:  # each stops within POLL_S, cancelled or not
            await asyncio.wait(self._background, timeout=10 * POLL_S)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        if self.line is not None:
            await self.line.close()
        await self.session.close()

    # --- board.js -------------------------------------------------------------------
    def _from_script(self, key: str, el) -> None:
        if key != self.key or not el.bytes or self.line is None or self.line.closed:
            return
        header = board_header(el.bytes)
        if header is None:
            return
        self.fast_step = bool(header.get("fastStep", self.fast_step))
        if header.get("seq") == self._script_seq:
            return
        self._script_seq = header.get("seq")
        if "pull" not in header:
            return
        if header["pull"]:
            self._later(self.line.send("frame"))
        elif header.get("playing") and not self.playing:
            self.playing = True
            self._later(self.line.send("play"))

    def _from_line(self, frame: LineFrame) -> None:
        h = frame.header
        if h.get("reply"):
            self.holding = False
            self.replies += 1
            self.last_reply = frame
        if self.holding:
            return
        seq, frames = h.get("seq", 0), h.get("frames") or []
        if h.get("full"):
            self.queue.clear()
        if h.get("playing"):
            asked = self._shown_at.pop(seq - LEAD, None)
            if asked is not None and frame.at >= asked:
                self.waits.append(frame.at - asked)
            self.playing = True
            self.play_frames += len(frames)
            self.queue.extend((seq, frame) for _ in frames)
            self._ready.set()
            return
        self.playing = False
        self.queue.clear()
        if frames:
            self._show(seq, frame)
        if h.get("sync"):
            self.syncs += 1
            self._later(self.session.send_event(self.key, "sync", self.syncs))
        if h.get("resume"):
            self.playing = True
            self._later(self.line.send("play"))

    def _show(self, seq: int, frame: LineFrame) -> None:
        self.drawn += 1
        self.shown_seq = seq
        if frame.step is not None:
            self.drawn_step = frame.step
        self._shown_at[seq] = time.perf_counter()
        if len(self._shown_at) > 4 * LEAD:  # frames that never came (a Pause): forgotten
            for old in sorted(self._shown_at)[: -2 * LEAD]:
                del self._shown_at[old]
        self._later(self.line.send("shown", seq))

    async def _clock(self) -> None:
        """``tick``: the queue drawn at most ``draw_fps`` frames a second, strictly: a
        frame at least ``1 / draw_fps`` s after the one before (``board.js`` lets one more
        through after a stall, up to its display's refresh rate)."""
        period, deadline = 1 / self.draw_fps, time.monotonic() + LINE_LIFE_S
        while time.monotonic() < deadline and not self._closing:
            if not self.queue:
                self._ready.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._ready.wait(), POLL_S)
                continue
            now = time.perf_counter()
            if self.playing and now - self._last < period:
                await asyncio.sleep(self._last + period - now)
                continue
            self._last = now
            seq, frame = self.queue.popleft()
            self._show(seq, frame)

    async def _pump(self) -> None:
        """The Streamlit socket between clicks: the ``sync`` runs' messages."""
        deadline = time.monotonic() + LINE_LIFE_S
        try:
            while time.monotonic() < deadline and not self._closing:
                if await self.session.receive(POLL_S) is not None:
                    self.runs += 1
        except (ConnectionClosed, ScriptError) as e:
            self.failures.append(f"Streamlit socket: {e!r}")

    def _later(self, coro: Coroutine) -> None:
        """Send without waiting (``board.js`` does not wait for a send either)."""
        task = asyncio.create_task(self._quietly(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _quietly(self, coro: Coroutine) -> None:
        try:
            await coro
        except (LineClosed, ConnectionClosed) as e:
            self.failures.append(repr(e))
