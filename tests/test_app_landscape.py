"""The Playground's Landscape tab, driven with AppTest: computed on demand, kept across
Steps (saying it is older), and shared in the URL like every tab."""

from __future__ import annotations

from helpers import Chart, charts, click, open_tab, playground, query, run, tab, texts, the_run

from backprop.ui import landscape_tab


def landscape_charts(at) -> list[Chart]:
    return charts(tab(at, "Landscape"))


def test_compute_draws_the_landscape_and_the_line_from_the_initial_weights():
    at = playground()
    for _ in range(3):
        click(at, "step")
    open_tab(at, "Landscape")
    assert not landscape_charts(at)  # computed on demand only
    assert "Press Compute" in " ".join(texts(tab(at, "Landscape").info))
    click(at, "landscape_compute")
    surface, line = landscape_charts(at)
    fig = surface.figure
    kinds = [t["type"] for t in fig["data"]]
    assert kinds == ["contour", "scatter", "scatter", "scatter"]  # cost, path, start, now
    assert fig["data"][3]["name"] == "now (step 3)"
    assert fig["data"][2]["name"] == "start (step 0)"
    assert [t["name"] for t in line.figure["data"]] == [
        "cost", "initial", "current",
    ]  # fmt: skip
    done = at.session_state[landscape_tab.CACHE_KEY]
    assert done.landscape.step == 3 and done.landscape.surface.cost.shape == (21, 21)
    assert done.run() is the_run(at)


def test_a_step_keeps_the_picture_and_says_it_is_older():
    at = playground()
    open_tab(at, "Landscape")
    run(tab(at, "Landscape").selectbox(key="landscape_grid").set_value(11))
    click(at, "landscape_compute")
    before = at.session_state[landscape_tab.CACHE_KEY]
    assert before.landscape.surface.cost.shape == (11, 11)
    click(at, "step")
    assert at.session_state[landscape_tab.CACHE_KEY] is before  # not recomputed by a Step
    assert len(landscape_charts(at)) == 2
    said = " ".join(texts(tab(at, "Landscape").caption))
    assert "Drawn at step 0" in said and "now at step 1" in said
    open_tab(at, "Layers")  # the settings survive the closed tab
    open_tab(at, "Landscape")
    assert tab(at, "Landscape").selectbox(key="landscape_grid").value == 11


def test_the_landscape_tab_is_shared_in_the_url():
    at = playground()
    open_tab(at, "Landscape")
    assert query(at).get("tab") == "landscape"
    new = playground(query(at))
    assert new.session_state["detail_tab"] == "Landscape"
    assert [t.label for t in new.tabs if t.children] == ["Landscape"]
    assert not new.warning, texts(new.warning)


def test_the_plane_along_the_path_is_picked_and_drawn_with_the_whole_path():
    at = playground()
    for _ in range(6):
        click(at, "step")
    open_tab(at, "Landscape")
    panel = tab(at, "Landscape")
    assert panel.number_input(key="landscape_seed").disabled is False
    run(panel.selectbox(key="landscape_plane").set_value("path"))
    assert tab(at, "Landscape").number_input(key="landscape_seed").disabled is True
    click(at, "landscape_compute")
    done = at.session_state[landscape_tab.CACHE_KEY].landscape
    assert done.plane == "path" and done.path.off_plane[0] < 0.5
    surface, _ = landscape_charts(at)
    fig = surface.figure
    assert "the path's main directions" in fig["layout"]["title"]["text"]
    shown = " ".join(texts(tab(at, "Landscape").caption))
    assert "of the path's movement" in shown and "lies off it" not in shown


def test_a_path_too_short_for_a_plane_says_so():
    at = playground()
    open_tab(at, "Landscape")
    run(tab(at, "Landscape").selectbox(key="landscape_plane").set_value("path"))
    click(at, "landscape_compute")  # step 0: only the initial point
    warned = " ".join(texts(tab(at, "Landscape").warning))
    assert "No landscape" in warned and "random directions" in warned
    assert not landscape_charts(at)
