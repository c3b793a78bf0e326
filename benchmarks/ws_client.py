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

Nothing the server sends needs an answer (``heartbeat_ack`` only answers the frontend's own
``app_heartbeat``, which a session of a few minutes does not need). Stdlib, ``websockets``
and ``streamlit.proto`` only, both installed with Streamlit.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from backprop.viz.frames import unpack  # the importer puts the checkout on sys.path

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
# widgets that hold no state until clicked (or whose state this client never sets)
STATELESS = {"button", "download_button", "link_button", "bidi_component", "page_link"}
INTERNAL_KEY_PREFIX = "$$STREAMLIT_INTERNAL_KEY"  # streamlit.runtime.state.session_state


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


def board_step(payload: bytes) -> int | None:
    """The step of the last frame in a live-board chunk (decoded with the board's own
    :func:`backprop.viz.frames.unpack`), or None for anything else."""
    try:
        header, _ = unpack(payload)
    except ValueError:
        return None
    step = (header.get("frames") or [{}])[-1].get("step")
    return step if isinstance(step, int) else None


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
        url = f"ws://{self.host}:{self.port}/_stcore/stream"
        self._ws = await connect(url, subprotocols=["streamlit"], max_size=None)
        return await self._rerun(timeout=timeout)

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
            step = board_step(el.bytes)
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
