"""The Explorer's view: everything a link carries, with its ranges and defaults defined once.

The link codec (:mod:`core.explorer.links`), the sidebar's widgets (``ui/explorer.py``), the panel and the
method parameters read these; nothing else writes a range or a default of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.retrieval.marks import HARD_NO, HARD_NO_RANGE
from core.scenarios.presets import DEFAULT_PRESET
from core.vectors.methods import METHOD_NAMES
from core.vectors.space import DEFAULT_PARAMS, STRENGTH_RANGE, VARIANCE_RANGE, MethodParams

K_RANGE = (1, 20)
"""How many products each method shows (the sidebar's slider, ``k=`` in a link)."""
DEFAULT_K = 5
SCORE_STEP = 0.05
"""A slider's step: 41 positions from -1 to 1."""
MANY_FEATURES = 30
"""A profile this long shows only its strongest scores as sliders ..."""
SHOWN_WHEN_MANY = 12
"""... this many of them, plus any score changed or added."""
TRAIL_LENGTH = 12
"""The user's last positions drawn on each map."""

__all__ = [
    "DEFAULT_K",
    "DEFAULT_PRESET",
    "DEFAULT_VIEW",
    "HARD_NO",
    "HARD_NO_RANGE",
    "K_RANGE",
    "STRENGTH_RANGE",
    "VARIANCE_RANGE",
    "ViewState",
]


@dataclass(frozen=True)
class ViewState:
    """Everything a link carries. ``user=None`` means the scenario's first user."""

    preset: str = DEFAULT_PRESET
    upload: str | None = None  # id of a scenario applied in the sender's session
    data: str | None = None  # that scenario itself, packed (core.scenarios.link), when it is small enough
    user: str | None = None
    overrides: dict[str, float] = field(default_factory=dict)
    methods: tuple[str, ...] = METHOD_NAMES
    k: int = DEFAULT_K
    variance: float = DEFAULT_PARAMS.whiten_variance
    strength: float = DEFAULT_PARAMS.whiten_strength
    aligned: bool = False
    model: str | None = None  # an embedding model's id; None: the server's default
    hard_no: float | None = None  # the hard-no filter's threshold; None: no filter (the marks use HARD_NO)

    @property
    def params(self) -> MethodParams:
        return MethodParams(whiten_variance=self.variance, whiten_strength=self.strength)

    @property
    def threshold(self) -> float:
        """The hard-no threshold the marks use: the filter's when it is on, else the default."""
        return HARD_NO if self.hard_no is None else self.hard_no


DEFAULT_VIEW = ViewState()
