"""Online updates of a user vector, one rating at a time, and what to do with a dislike.

A positive signal moves the user towards the item. For a negative one there are
four rules here (see :func:`feedback_update`): ignore it, negate the item, reject
the user's component along the item, or push away from what is distinctive about
the item. The Labs page measures them on MovieLens.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.numeric import EPS, unit

FEEDBACK_RULES = ("ignore negatives", "negate", "reject", "centred push")
FEEDBACK_RATE = 0.1  # the floor of the adaptive learning rate


def feedback_update(
    user: np.ndarray, item: np.ndarray, signal: float, rate: float, rule: str, centre: np.ndarray
) -> np.ndarray:
    """One online update of a unit user vector by a unit item vector and a signal in [-1, 1].

    Positive signals move the user towards the item: ``(1 - a) u + a v`` with ``a = rate * signal``.
    Negative signals depend on the rule:

    - ``ignore negatives``: no change (the profile freezes while the user keeps disliking);
    - ``negate``: the same formula with the negative signal, i.e. adding ``-v``: the user is
      pushed away from everything ``v`` shares with the rest of the catalogue too;
    - ``reject``: remove part of the user's component along ``v``: ``u - a (u . v) v``
      (only when ``u . v > 0``; nothing else in ``u`` changes);
    - ``centred push``: move away from what is distinctive about the item, ``v - centre``,
      where ``centre`` is the mean item vector.

    >>> u, v, c = np.array([0.6, 0.8]), np.array([1.0, 0.0]), np.array([0.5, 0.5])
    >>> feedback_update(u, v, -1.0, 0.5, "reject", c).round(3).tolist()
    [0.351, 0.936]
    >>> feedback_update(u, v, -1.0, 0.5, "ignore negatives", c).tolist()
    [0.6, 0.8]
    """
    if rule not in FEEDBACK_RULES:
        raise ValueError(f"unknown feedback rule {rule!r}; choose one of: {', '.join(FEEDBACK_RULES)}")
    a = rate * abs(signal)
    if signal >= 0:
        updated = (1 - a) * user + a * item
    elif rule == "ignore negatives":
        return user
    elif rule == "negate":
        updated = (1 - a) * user - a * item
    elif rule == "reject":
        along = float(user @ item)
        updated = user - a * max(along, 0.0) * item
    else:  # centred push
        updated = user - a * (item - centre)
    return user if float(np.linalg.norm(updated)) <= EPS else unit(updated)


def feedback_stream(
    movies: Sequence[int], ratings: np.ndarray, rows: dict[int, int], items: np.ndarray, centre: np.ndarray, rule: str
) -> np.ndarray:
    """Replay one user's history (time order) through :func:`feedback_update`; returns each step's vector.

    The user starts at the catalogue's mean direction (a cold start), the signal of a rating is
    ``tanh(rating - 3)`` and the rate adapts as in the notes: ``max(FEEDBACK_RATE, 1 / (1 + n))``.
    """
    user = unit(centre.copy())
    path = [user]
    for n, (movie, rating) in enumerate(zip(movies, ratings, strict=True)):
        rate = max(FEEDBACK_RATE, 1.0 / (1.0 + n))
        user = feedback_update(user, items[rows[int(movie)]], float(np.tanh(rating - 3.0)), rate, rule, centre)
        path.append(user)
    return np.array(path)
