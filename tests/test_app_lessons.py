"""Lesson links (backprop.ui.lessons): a preset, a tab and hidden controls from the URL."""

from __future__ import annotations

from helpers import APP, PLAYGROUND, playground, run, texts, the_run
from streamlit.testing.v1 import AppTest

from backprop.ui import lessons
from backprop.ui.config import PRESETS, to_query

XOR = "XOR with 2 hidden neurons"


def widget_keys(at) -> set[str]:
    keys = set()
    for kind in ("number_input", "selectbox", "slider", "multiselect", "toggle", "button"):
        keys |= {getattr(w, "key", None) for w in at.get(kind)}
    return keys


def test_parse_hide_keeps_known_names_and_refuses_the_rest():
    assert lessons.parse_hide("eta, Seed,eta") == (frozenset({"eta", "seed"}), [])
    names, notices = lessons.parse_hide("eta,<script>,x" * 1)
    assert names == {"eta"} and len(notices) == 1 and "'<script>'" in notices[0]
    names, notices = lessons.parse_hide("eta," * 200)
    assert names == frozenset() and "too long" in notices[0]
    assert lessons.parse_hide(None) == (frozenset(), [])


def test_hidden_controls_are_not_drawn_and_their_values_still_apply():
    at = playground({"eta": "0.5", "seed": "7", "hide": "eta,seed,tabs,downloads,present"})
    keys = widget_keys(at)
    assert "w_eta" not in keys and "w_seed" not in keys and "regenerate" not in keys
    assert "w_batch_size" in keys and "w_dataset" in keys  # the others stay usable
    assert "present" not in keys and not at.tabs
    assert not [e for e in at.expander if e.label == "Export and resume"]
    r = the_run(at)
    assert r.cfg.eta == 0.5 and r.cfg.seed == 7
    assert at.query_params["hide"] == "eta,seed,tabs,downloads,present"  # kept in the URL
    assert not [e for e in at.expander if e.label == "Lesson link"]  # not on a student's page


def test_a_preset_link_opens_the_preset_and_the_links_own_values_win():
    at = playground({"preset": lessons.slug(XOR), "eta": "0.07"})
    cfg = the_run(at).cfg
    want = PRESETS[XOR]
    assert (cfg.dataset, cfg.hidden, cfg.optimizer) == (want.dataset, want.hidden, want.optimizer)
    assert cfg.eta == 0.07
    assert "preset" not in at.query_params  # the URL now holds the whole config
    assert at.query_params["hidden"] == to_query(want)["hidden"]


def test_an_unknown_preset_or_control_says_so_and_changes_nothing_else():
    at = playground({"preset": "nope", "hide": "wings"})
    shown = " ".join(texts(at.warning))
    assert "preset='nope' is not a preset" in shown and "unknown controls ('wings')" in shown
    assert the_run(at).cfg == playground().session_state["pg_cfg"]


def test_the_builder_writes_a_link_that_does_what_it_says():
    at = playground()
    (box,) = [e for e in at.expander if e.label == "Lesson link"]
    box.selectbox(key="lesson_preset").set_value(XOR)
    box.selectbox(key="lesson_tab").set_value("Curves")
    box.multiselect(key="lesson_hide").set_value(["eta", "layers"])
    at.run()
    (code,) = [c.value for c in at.code if c.value.startswith("playground?")]
    assert code == f"playground?preset={lessons.slug(XOR)}&hide=layers,eta&tab=curves"
    query = dict(p.split("=", 1) for p in code.split("?", 1)[1].split("&"))
    student = playground(query)
    assert the_run(student).cfg.hidden == PRESETS[XOR].hidden
    assert "w_eta" not in widget_keys(student) and "w_n_hidden" not in widget_keys(student)
    assert [t.label for t in student.tabs if t.children] == ["Curves"]


def test_the_builders_link_is_absolute_under_the_apps_own_address():
    """The link starts with the page's address in the browser (any path prefix kept); a
    hostile or missing address leaves it relative, never an error."""
    query = f"playground?preset={lessons.slug(XOR)}"
    for url, want in (
        ("https://teach.example.org/bp/playground", "https://teach.example.org/bp/" + query),
        ("http://127.0.0.1:8501/playground", "http://127.0.0.1:8501/" + query),
        ("javascript:alert(1)//playground", query),
        ("http://[::1/playground", query),
        ("https://x.org/" + "a" * lessons.MAX_URL_CHARS, query),
    ):
        at = AppTest.from_file(APP, default_timeout=60)
        at.context["url"] = url
        at.switch_page(PLAYGROUND)
        run(at)
        (box,) = [e for e in at.expander if e.label == "Lesson link"]
        box.selectbox(key="lesson_preset").set_value(XOR)
        run(at)
        assert [c.value for c in at.code if c.value.endswith(query)] == [want], url
