"""The XGBoost model the predictions processor evaluates (DESIGN DECISION 7: a real tree model).

Resolution when none was set explicitly: ``$NBAPROPS_XGBOOST_MODEL`` (a file, or ``none`` to run
without the XGBoost system), else the 21-feature points model in ``$NBAPROPS_SHARED_DATA/models``
or in the ``shared/data/models`` folder beside a source checkout. Without a model, predictions are
made by the other four systems and every row carries the warning ``xgboost_model_unavailable``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

from .. import _core

DEFAULT_MODEL_FILE = "xgboost_points_v4_21features.json.gz"
_log = logging.getLogger("nbaprops")
_state = {"explicit": False}


def model_id(path: str | os.PathLike) -> str:
    """``xgboost_points_v4_21features`` for ``…/xgboost_points_v4_21features.json.gz``."""
    name = Path(path).name
    for suffix in (".gz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def default_model_path() -> Optional[Path]:
    """The model file to use when none was set (see the module docstring), or None."""
    env = os.environ.get("NBAPROPS_XGBOOST_MODEL")
    if env:
        if env.lower() == "none":
            return None
        path = Path(env)
        if not path.is_file():
            raise FileNotFoundError(f"NBAPROPS_XGBOOST_MODEL={env}: no such model file")
        return path
    candidates = []
    if os.environ.get("NBAPROPS_SHARED_DATA"):
        candidates.append(Path(os.environ["NBAPROPS_SHARED_DATA"]) / "models" / DEFAULT_MODEL_FILE)
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "data" / "models" / DEFAULT_MODEL_FILE)
    return next((c for c in candidates if c.is_file()), None)


def set_xgboost_model(path: Optional[str | os.PathLike]) -> str:
    """Set the XGBoost model the predictions processor evaluates.

    Parameters
    ----------
    path : path-like or None
        A native XGBoost JSON model (``.json`` or ``.json.gz``); None or ``"none"`` (as
        ``--xgboost-model none`` and ``$NBAPROPS_XGBOOST_MODEL=none``) disables the XGBoost system.

    Returns
    -------
    str
        The model id stored in ``ml_model_id`` ('' when disabled).

    Raises
    ------
    DataError
        For an unreadable model (the message names the file and the offending field).
    """
    _state["explicit"] = True
    if path is None or (isinstance(path, str) and path.strip().lower() == "none"):
        _core.set_xgboost_model(None, "")
        return ""
    _core.set_xgboost_model(os.fspath(path), model_id(path))
    return xgboost_model_id()


def xgboost_model_id() -> str:
    """The id of the loaded XGBoost model.

    Returns
    -------
    str
        The model id ('' when none is loaded).
    """
    return str(_core.xgboost_model_id())


def ensure_default_model() -> str:
    """Load the default model once, unless a model was set (or disabled) explicitly.

    The file is parsed on a thread of the core's own while the run plans, checks and runs its
    earlier phases; the first predictions unit waits for it. A default model that fails to load
    fails the predictions units with its error (naming the file), not the whole call.

    Returns
    -------
    str
        The model's id ('' when there is none).
    """
    if _state["explicit"] or xgboost_model_id():
        return xgboost_model_id()
    _state["explicit"] = True  # resolve once per process
    path = default_model_path()
    if path is None:
        _log.warning(
            "no XGBoost model found (set NBAPROPS_XGBOOST_MODEL or nbaprops.set_xgboost_model); "
            "predictions use the other four systems"
        )
        return ""
    _core.load_xgboost_model_async(os.fspath(path), model_id(path))
    return xgboost_model_id()
