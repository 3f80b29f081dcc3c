"""The protocol by hand on a tiny data set: split, profiles, tags."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.movielens.data import DataError, MovieLens
from core.movielens.protocol import evaluation_split, movie_features, split, user_profile


def tiny() -> MovieLens:
    """Two users, five movies; user 1 has 10 ratings, so 8 history and 2 held out."""
    movies = pd.DataFrame(
        {
            "movieId": [1, 2, 3, 4, 5],
            "title": ["A", "B", "C", "D", "E"],
            "genres": ["Comedy", "Drama", "Comedy|Drama", "Horror", "(no genres listed)"],
        }
    )
    ratings = pd.DataFrame(
        {
            "userId": [1] * 10 + [2] * 5,
            "movieId": [1, 2, 3, 4, 1, 2, 3, 4, 5, 3] + [1, 2, 3, 4, 5],
            "rating": [5, 1, 3, 2, 5, 1, 3, 2, 4, 4.5] + [3, 3, 3, 3, 3],
            "timestamp": list(range(10)) + list(range(5)),
        }
    )
    tags = pd.DataFrame(
        {"userId": [1, 2, 2], "movieId": [1, 1, 4], "tag": ["Funny ", "funny", "gory"], "timestamp": [0, 0, 0]}
    )
    return MovieLens(Path("tiny"), ratings, movies, tags)


def test_split_and_profiles_by_hand():
    data = tiny()
    s = split(data, "genres")
    assert s.features == ["Comedy", "Drama", "Horror"]
    user1 = s.history[s.history["userId"] == 1]
    assert len(user1) == 8 and len(s.held_out[s.held_out["userId"] == 1]) == 2
    assert len(s.history[s.history["userId"] == 2]) == 4  # floor(0.8 * 5)
    # User 1 history ratings: 5,1,3,2,5,1,3,2 -> mean 2.75.
    profile = user_profile(user1, s.movie_features)
    # Comedy: movies 1 and 3 -> deviations (5-2.75)/2 twice and (3-2.75)/2 twice -> mean 0.625.
    assert profile["Comedy"] == pytest.approx(0.625)
    # Drama: movies 2 and 3 -> (1-2.75)/2 twice, (3-2.75)/2 twice -> mean -0.375.
    assert profile["Drama"] == pytest.approx(-0.375)
    assert profile["Horror"] == pytest.approx((2 - 2.75) / 2)
    assert s.popularity[1] == 3 and 5 not in s.popularity  # history only, across users


def test_tags_need_two_users():
    vocabulary, features = movie_features(tiny(), "genres+tags")
    assert "funny" in vocabulary and "gory" not in vocabulary
    assert features[1] == ["Comedy", "funny"]


@pytest.mark.parametrize("mode", ["genres", "genres+tags"])
def test_data_without_any_feature_is_refused_in_one_line(mode):
    data = tiny()
    movies = data.movies.assign(genres="(no genres listed)")
    bare = MovieLens(data.path, data.ratings, movies, data.tags.iloc[:0])
    with pytest.raises(DataError) as error:
        evaluation_split(bare, mode)
    assert "no features to build profiles from" in str(error.value) and "movies.csv" in str(error.value)
