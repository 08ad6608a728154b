"""The notebooks: each runs top to bottom (nbclient), draws non-blank figures, and is committed without
outputs; a kernel interrupt during ``nbaprops.backfill`` stops the run cleanly and leaves the kernel alive."""

from __future__ import annotations

import atexit
import base64
import io
import json
import os
import queue
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from conftest import shared_data

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {"quickstart", "coverage", "features", "predictions", "real_season"}
_executed: dict[Path, nbformat.NotebookNode] = {}
#: The test kernels talk over Unix sockets, not TCP ports. Over TCP the kernel manager picks free ports,
#: releases them and leaves the kernel to bind them; a test on another pytest-xdist worker that binds a port
#: meanwhile (the emulators' servers do) kills the kernel at start with "Address already in use" (seen in a
#: CI run: test_notebook_runs[quickstart]). The sockets' names start with an absolute path (the default,
#: "kernel-ipc", is relative: the kernel, started in the notebooks' folder, and its client would look for
#: them in different places), in a folder of this test session's own, removed at its end.
_KERNEL_SOCKETS = tempfile.mkdtemp(prefix="nbaprops-kernels-")
atexit.register(shutil.rmtree, _KERNEL_SOCKETS, True)
KERNEL_CONFIG = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(_KERNEL_SOCKETS, "k")}})


def executed(path: Path) -> nbformat.NotebookNode:
    """The notebook run top to bottom in its own folder (once per test session). Its kernel's TMPDIR is a
    directory removed afterwards: the notebooks build their warehouses in ``tempfile.mkdtemp()`` (about
    100 MB each), which a user's machine keeps but a test session must not."""
    if path not in _executed:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
            config=KERNEL_CONFIG,
        )
        saved = os.environ.get("TMPDIR")
        with tempfile.TemporaryDirectory(prefix=f"nbaprops-test-{path.stem}-") as tmp:
            os.environ["TMPDIR"] = tmp  # the kernel process inherits it at launch
            try:
                client.execute()
            finally:
                if saved is None:
                    os.environ.pop("TMPDIR", None)
                else:
                    os.environ["TMPDIR"] = saved
        _executed[path] = nb
    return _executed[path]


def pngs(nb: nbformat.NotebookNode) -> list[bytes]:
    return [
        base64.b64decode(o["data"]["image/png"])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]


def test_the_five_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    """Outputs are stripped in git: `jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`."""
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_opens_with_its_question(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "?" in first.source, "the first cell states the question the notebook answers"
    # Short text between the figures: every plotting cell follows a markdown cell within two cells.
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and "plt.show()" in c.source:
            assert any(nb.cells[j].cell_type == "markdown" for j in range(max(0, i - 2), i)), (path.name, i)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = executed(path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_figure_is_not_blank(path):
    """The first figure of each notebook, rendered to PNG by the inline backend, has real content:
    pixel variance well above zero and more than 4% of the pixels differ from the background (empty axes
    with their ticks and labels stay below that)."""
    import matplotlib.image as mpimg

    nb = executed(path)
    images = pngs(nb)
    if path.stem == "real_season" and not (shared_data() / "shots" / "nba_shots_2023_24.csv.gz").is_file():
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "Skipping" in text
        pytest.skip(f"real data not found under {shared_data()}: the notebook skipped itself, as it should")
    assert images, f"{path.name} drew no figure"
    img = mpimg.imread(io.BytesIO(images[0]), format="png")[..., :3]
    assert img.shape[0] > 100 and img.shape[1] > 100
    background = img[0, 0]
    differs = np.abs(img - background).sum(axis=2) > 0.1
    assert img.std() > 0.1, f"{path.name}: first figure is nearly uniform (std {img.std():.3f})"
    assert differs.mean() > 0.04, f"{path.name}: only {differs.mean():.1%} of the pixels are drawn"


# --------------------------------------------------------------------------- kernel interrupt

INTERRUPT_SETUP = """
import logging, sys, tempfile, nbaprops
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s", force=True)
wh = nbaprops.open({wh!r})
nbaprops.demo.generate(wh, seasons=[2023], seed=7)
print("READY")
"""
INTERRUPT_RUN = """
result = nbaprops.backfill(wh, "2023-10-17", "2024-01-31", processors=["phase3"], workers=1, progress="log",
                           checkpoint_dir={ckpt!r})
print("RETURNED", result.exit_code, result.cancelled)
"""
INTERRUPT_CHECK = """
import json
units = result.units
done = units[units["status"] == "success"]
counts = {{t: wh.partition_counts(t) for t in set(done["processor"].map(
    {{p["name"]: p["output_table"] for p in nbaprops.processors()}}))}}
table_of = {{p["name"]: p["output_table"] for p in nbaprops.processors()}}
# Every committed unit's partition holds exactly the rows it reported; nothing else was written.
mismatch = [(p, str(d.date()), int(r), int(counts[table_of[p]].get(d, 0)))
            for p, d, r in zip(done["processor"], done["date"], done["rows"])
            if int(counts[table_of[p]].get(d, 0)) != int(r)]
written = {{t: int(c.sum()) for t, c in counts.items()}}
reported = {{table_of[p]: int(r) for p, r in done.groupby("processor")["rows"].sum().items()}}
print("CHECK", json.dumps({{"cancelled": bool(result.cancelled), "exit": int(result.exit_code),
      "statuses": units["status"].value_counts().to_dict(), "mismatch": mismatch,
      "written": written, "reported": reported}}))
"""


def _run(kc, code: str, timeout: float = 300, until: str | None = None) -> tuple[str, dict]:
    """Execute ``code``; return (stdout text, execute_reply content). With ``until``, return as soon as
    that text appears in stdout (the cell keeps running)."""
    msg_id = kc.execute(code)
    out = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {'output ' + until if until else 'reply'} within {timeout} s:\n{''.join(out)}")
        try:
            msg = kc.get_iopub_msg(timeout=min(remaining, 5))
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
            if until and until in "".join(out):
                return "".join(out), {}
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            while True:
                reply = kc.get_shell_msg(timeout=30)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return "".join(out), reply["content"]


def test_kernel_interrupt_stops_a_backfill_cleanly(tmp_path):
    """Jupyter's interrupt (SIGINT to the kernel) mid-backfill: the call returns a cancelled RunResult
    (exit code 130), the kernel stays alive, and every committed partition is whole."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3", config=KERNEL_CONFIG)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        out, reply = _run(kc, INTERRUPT_SETUP.format(wh=str(tmp_path / "wh")), timeout=300)
        assert reply["status"] == "ok" and "READY" in out, out
        # Wait until a few units have committed, then interrupt.
        msg_out, _ = _run(kc, INTERRUPT_RUN.format(ckpt=str(tmp_path / "ckpt")), timeout=300, until="Processing day 5/")
        km.interrupt_kernel()
        rest = []
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            if msg["msg_type"] == "stream":
                rest.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        text = msg_out + "".join(rest)
        assert "RETURNED 130 True" in text, text[-3000:]
        assert km.is_alive()
        out, reply = _run(kc, INTERRUPT_CHECK.format(), timeout=120)
        assert reply["status"] == "ok" and "CHECK" in out, (reply, out)
        check = json.loads(out.split("CHECK", 1)[1])
        assert check["cancelled"] and check["exit"] == 130
        assert check["statuses"].get("cancelled", 0) > 0, check["statuses"]
        assert 0 < check["statuses"].get("success", 0) < 5 * 95, check["statuses"]
        assert check["mismatch"] == []
        assert check["written"] == check["reported"]
        # The kernel still works, and a resumed run completes what was cancelled.
        out, reply = _run(
            kc, INTERRUPT_RUN.format(ckpt=str(tmp_path / "ckpt")).replace('progress="log"', 'progress="none"')
        )
        assert reply["status"] == "ok" and "RETURNED 0 False" in out, out[-3000:]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
