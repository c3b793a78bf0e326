"""The Gradient diff page in Chromium: after every upload, the Layer box the visitor sees,
the heatmap's title and the message name the same layer (the layer of the current upload).

The page is given its test case as an upload too, so the gradient files below are for the
case it compares with whatever its defaults are.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backprop import Network
from backprop.datasets import load
from backprop.debug import Case, buggy_gradients, export_case, gradients_file

pytestmark = pytest.mark.browser

ERROR = '.stMain [data-testid="stAlertContentError"]'
SUCCESS = '.stMain [data-testid="stAlertContentSuccess"]'
WAIT = 30_000  # ms for the page to answer an upload


def upload(page, wait_idle, key: str, name: str, data: bytes) -> None:
    """Upload ``data`` as ``name`` and wait until the uploader lists it and the app is idle."""
    page.locator(f".st-key-{key} input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    expect(page.locator(f".st-key-{key}")).to_contain_text(name, timeout=WAIT)
    wait_idle()


def shown_layer(page) -> int:
    """The layer in the Layer box, as drawn."""
    return int(page.locator(".st-key-diff_layer input").input_value())


def heatmap_layer(page) -> int:
    title = page.locator(".st-key-diff_heatmap .gtitle").text_content()
    return int(re.search(r"of layer (\d+)", title).group(1))


def test_the_layer_box_and_heatmap_follow_each_upload(page, app_server, wait_idle, assert_clean):
    ds = load("xor", n_samples=60, seed=0)
    net = Network([2, 3, 2], "sigmoid", "sigmoid", "quadratic", seed=3)
    case = Case.of(net, ds.X_train[:, :4], ds.Y_train[:, :4])
    right = case.gradients()
    buggy = buggy_gradients(case.network(), case.X, case.Y, ["bp2_no_sigma_prime"])
    flipped = (right[0][:-1] + [-right[0][-1]], right[1][:-1] + [-right[1][-1]])

    page.goto(app_server.url("/diff"))
    page.wait_for_selector(".st-key-diff_gradients input[type=file]", state="attached")
    wait_idle()
    upload(page, wait_idle, "diff_case", "case.npz", export_case(net, case.X, case.Y))
    expect(page.locator(".stMain")).to_contain_text("Comparing with the uploaded test case")
    sequence = [("buggy", buggy, 1), ("flipped", flipped, 2), ("buggy", buggy, 1),
                ("right", right, 2), ("buggy", buggy, 1)]  # fmt: skip
    for i, (name, grads, layer) in enumerate(sequence):
        upload(page, wait_idle, "diff_gradients", f"{name}-{i}.npz", gradients_file(*grads))
        if name == "right":
            expect(page.locator(SUCCESS)).to_contain_text("match the engine's", timeout=WAIT)
        else:
            expect(page.locator(ERROR)).to_contain_text(
                f"First difference at layer {layer}", timeout=WAIT
            )
        wait_idle()
        page.wait_for_selector(".st-key-diff_heatmap .gtitle")
        seen = (shown_layer(page), heatmap_layer(page))
        assert seen == (layer, layer), f"upload {i} ({name}): Layer box, heatmap = {seen}"
        assert_clean(f"upload {i} ({name})")
