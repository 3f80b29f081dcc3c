"""The method colours, and the checks that they stay apart for every reader.

About one man in twelve sees red and green alike. The ten method colours (Okabe and Ito's colour-blind-safe set,
completed by a search) keep every pair at least :data:`MIN_DELTA_E` apart in CIEDE2000 under normal vision and
under simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira and Fernandes 2009, severity 1,
applied in linear RGB), and each has at least 3:1 contrast on white (WCAG 1.4.11, graphics). A chart never
rests on colour alone: each series is named in its legend or label as well.

>>> round(contrast("#000000", "#ffffff"), 1), round(float(delta_e("#000000", "#ffffff")), 1)
(21.0, 100.0)
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

METHOD_COLOURS = {
    "naive": "#d55e00",  # Okabe-Ito vermillion
    "split": "#cc79a7",  # Okabe-Ito reddish purple
    "prefix": "#a17fff",
    "weighted": "#0072b2",  # Okabe-Ito blue
    "whitened": "#009e73",  # Okabe-Ito bluish green
    "exact": "#000000",  # the reference
    "qdrant-avg": "#714756",
    "qdrant-best": "#be0500",
    "qdrant-sum": "#b81084",
    "qdrant-feedback": "#626a48",
}
BASELINE_COLOURS = {"popularity": "#5f6672", "random": "#8a9099"}
"""Greys for the two baselines, which are not methods: named in every legend and label, never told apart by
colour alone (the palette's check covers the methods)."""
ROLE_COLOURS = {
    "neutral": "#868e96",  # the series to compare against: "read in full", "linear", "a random other sentence"
    "strong": "#343a40",  # a second reference line, darker than the first
    "alarm": "#c92a2a",  # a hard no broken, a feature never read, a negation's cosine, a chosen threshold
    "caution": "#e8590c",  # a disliked product
    "below": "#d55e00",  # a negative score (Okabe-Ito vermillion)
    "above": "#0072b2",  # a positive score (Okabe-Ito blue): never red against green
    "first": "#0072b2",  # rules or metrics side by side (Okabe-Ito blue, vermillion, bluish green)
    "second": "#d55e00",
    "third": "#009e73",
    "muted_text": "#5f6672",  # a value the interval cannot call: lighter than the text, still 5.8:1 on white
}
ROLE_GROUPS = (("neutral", "first", "second", "third"), ("below", "above"), ("alarm", "caution"), ("neutral", "alarm"))
"""Roles drawn in one chart together, which must stay apart as the methods do."""
"""Colours that mean a role rather than a method. Each series that carries one is named in its legend too."""
MARK_COLOURS = {
    "background": "#adb5bd",
    "top": "#1971c2",
    "hard_no": "#c92a2a",
    "disliked": "#d9480f",
    "user": "#fcc419",
}
"""The map's marks (ui/live/js/dom.js holds the same values; a test keeps them equal). The marks differ in shape as
well (square: hard no, triangle: disliked, circle: top, star: the user), because under tritanopia the two reds
come within a few units of CIEDE2000."""
MIN_DELTA_E = 10.0
MIN_CONTRAST = 3.0
VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")
MACHADO = {  # severity 1.0, linear RGB to linear RGB (Machado et al. 2009, doi:10.1109/TVCG.2009.113)
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def rgb(colour: str) -> np.ndarray:
    """'#rrggbb' as sRGB in [0, 1]."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0


def linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def simulate(srgb: np.ndarray, vision: str) -> np.ndarray:
    """What a dichromat sees (sRGB in, sRGB out)."""
    out = np.clip(linear(srgb) @ MACHADO[vision].T, 0, 1)
    return np.where(out <= 0.0031308, out * 12.92, 1.055 * out ** (1 / 2.4) - 0.055)


def lab(srgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB values (..., 3)."""
    xyz = linear(np.asarray(srgb, dtype=float)) @ _XYZ.T / _WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(one: np.ndarray, two: np.ndarray) -> np.ndarray:
    """The CIEDE2000 colour difference of two L*a*b* colours (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = np.moveaxis(one, -1, 0), np.moveaxis(two, -1, 0)
    c_bar7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_bar7 / (c_bar7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1 = np.where(c1 == 0, 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2 = np.where(c2 == 0, 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    dh = (h2 - h1 + 180) % 360 - 180
    dh = np.where(c1 * c2 == 0, 0.0, dh)
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh) / 2)
    l_bar, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    h_bar = np.where(np.abs(h1 - h2) <= 180, (h1 + h2) / 2, (h1 + h2 + 360 * np.where(h1 + h2 < 360, 1, -1)) / 2)
    h_bar = np.where(c1 * c2 == 0, h1 + h2, h_bar)
    t = (
        1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )  # fmt: skip
    rc = 2 * np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7))
    rt = -np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))) * rc
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    sc, sh = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    dl, dc, dhh = (l2 - l1) / sl, (c2 - c1) / sc, d_big_h / sh
    return np.sqrt(dl**2 + dc**2 + dhh**2 + rt * dc * dhh)


def delta_e(one: str, two: str, vision: str = "normal") -> float:
    return float(ciede2000(lab(simulate(rgb(one), vision)), lab(simulate(rgb(two), vision))))


def contrast(one: str, two: str) -> float:
    """WCAG contrast ratio of two colours."""
    luminance = [float(linear(rgb(c)) @ np.array([0.2126, 0.7152, 0.0722])) for c in (one, two)]
    high, low = max(luminance), min(luminance)
    return (high + 0.05) / (low + 0.05)


def closest_pairs(colours: dict[str, str]) -> dict[str, tuple[float, str, str]]:
    """Per vision, the smallest CIEDE2000 between two of ``colours`` and which pair it is."""
    out = {}
    for vision in VISIONS:
        out[vision] = min((delta_e(colours[a], colours[b], vision), a, b) for a, b in combinations(colours, 2))
    return out
