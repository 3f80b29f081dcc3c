"""MovieLens: the loader on the real files, the protocol by hand, the download, and the full run."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import movielens as ml
from core.methods import METHOD_NAMES


@pytest.fixture(scope="session")
def data():
    return ml.load()


def test_loader_finds_the_real_files_with_exact_counts(data):
    assert len(data.ratings) == 100_836
    assert data.ratings["userId"].nunique() == 610
    assert len(data.movies) == 9_742
    assert len(data.tags) == 3_683


def test_missing_data_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(ml, "candidate_dirs", lambda explicit=None: [tmp_path / "nowhere"])
    with pytest.raises(ml.DataNotFound, match="files.grouplens.org"):
        ml.find_data()
    with pytest.raises(ml.DataNotFound, match="missing ratings.csv"):
        ml.load(tmp_path)


def tiny() -> ml.MovieLens:
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
    return ml.MovieLens(Path("tiny"), ratings, movies, tags)


def test_split_and_profiles_by_hand():
    data = tiny()
    s = ml.split(data, "genres")
    assert s.features == ["Comedy", "Drama", "Horror"]
    user1 = s.history[s.history["userId"] == 1]
    assert len(user1) == 8 and len(s.held_out[s.held_out["userId"] == 1]) == 2
    assert len(s.history[s.history["userId"] == 2]) == 4  # floor(0.8 * 5)
    # User 1 history ratings: 5,1,3,2,5,1,3,2 -> mean 2.75.
    profile = ml.user_profile(user1, s.movie_features)
    # Comedy: movies 1 and 3 -> deviations (5-2.75)/2 twice and (3-2.75)/2 twice -> mean 0.625.
    assert profile["Comedy"] == pytest.approx(0.625)
    # Drama: movies 2 and 3 -> (1-2.75)/2 twice, (3-2.75)/2 twice -> mean -0.375.
    assert profile["Drama"] == pytest.approx(-0.375)
    assert profile["Horror"] == pytest.approx((2 - 2.75) / 2)
    assert s.popularity[1] == 3 and 5 not in s.popularity  # history only, across users


def test_tags_need_two_users():
    vocabulary, features = ml.movie_features(tiny(), "genres+tags")
    assert "funny" in vocabulary and "gory" not in vocabulary
    assert features[1] == ["Comedy", "funny"]


def test_auc_by_hand():
    scores = np.array([0.9, 0.4, 0.4, 0.1, 0.6])
    positive = np.array([True, True, False, False, False])
    negative = np.array([False, False, True, True, True])
    # Pairs (pos, neg): 0.9 beats all 3; 0.4 vs 0.4 tie (0.5), beats 0.1, loses to 0.6 -> (3 + 1.5) / 6.
    assert ml.auc(scores, positive, negative) == pytest.approx(4.5 / 6)
    assert np.isnan(ml.auc(scores, positive, np.zeros(5, bool)))


def test_ndcg_and_precision_by_hand():
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    relevant = np.array([False, True, True, False])
    ndcg, precision = ml.ranking_metrics(scores, relevant, order_seed=0, k=2)
    dcg = 0 + 1 / np.log2(3)
    idcg = 1 + 1 / np.log2(3)
    assert ndcg == pytest.approx(dcg / idcg) and precision == pytest.approx(0.5)


def test_ties_are_broken_the_same_way_for_every_method():
    relevant = np.array([True, False, True, False, False])
    flat = np.zeros(5)
    assert ml.ranking_metrics(flat, relevant, order_seed=7) == ml.ranking_metrics(flat.copy(), relevant, order_seed=7)


def test_mean_ci_contains_the_mean():
    mean, lo, hi = ml.mean_ci([0.2, 0.4, 0.6, 0.9])
    assert lo < mean < hi and mean == pytest.approx(0.525)


# -- download against a local server -------------------------------------------------------------------


def make_zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in members.items():
            bundle.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


GOOD = {
    "ml-latest-small/ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,1\n",
    "ml-latest-small/movies.csv": "movieId,title,genres\n1,Toy Story (1995),Comedy\n",
    "ml-latest-small/tags.csv": "userId,movieId,tag,timestamp\n",
    "ml-latest-small/README.txt": "licence",
}


def test_download_verifies_and_unpacks(served, tmp_path):
    root, url = served
    archive = make_zip(GOOD)
    (root / "ml.zip").write_bytes(archive)
    (root / "ml.zip.md5").write_text(hashlib.md5(archive).hexdigest() + "  ml.zip\n")
    target = tmp_path / "data"
    path = ml.download(target, url=f"{url}/ml.zip")
    assert path == target / "ml-latest-small"
    assert ml.load(path).movies["title"].tolist() == ["Toy Story (1995)"]
    assert ml.download(target, url=f"{url}/missing.zip") == path, "already present: nothing fetched"


def test_download_with_a_bad_checksum_leaves_nothing(served, tmp_path):
    root, url = served
    (root / "ml.zip").write_bytes(make_zip(GOOD))
    (root / "ml.zip.md5").write_text("0" * 32)
    target = tmp_path / "data"
    with pytest.raises(ValueError, match="checksum mismatch"):
        ml.download(target, url=f"{url}/ml.zip")
    assert not (target / "ml-latest-small").exists()
    assert list(target.iterdir()) == []


def test_download_refuses_paths_outside_the_dataset(served, tmp_path):
    root, url = served
    archive = make_zip({**GOOD, "../evil.txt": "x"})
    (root / "ml.zip").write_bytes(archive)
    with pytest.raises(ValueError, match="refusing archive member"):
        ml.download(tmp_path / "data", url=f"{url}/ml.zip", md5=hashlib.md5(archive).hexdigest())
    assert not (tmp_path / "evil.txt").exists()


def test_cli_download_and_missing_data(served, tmp_path, capsys):
    from core.cli import main

    root, url = served
    archive = make_zip(GOOD)
    (root / "ml.zip").write_bytes(archive)
    (root / "ml.zip.md5").write_text(hashlib.md5(archive).hexdigest())
    target = tmp_path / "data"
    code = main(["data", "movielens", "--download", "--url", f"{url}/ml.zip", "--target", str(target)])
    assert code == 0 and (target / "ml-latest-small" / "ratings.csv").exists()
    code = main(["eval", "movielens", "--data", str(tmp_path / "nope")])
    assert code == 2 and "not a MovieLens folder" in capsys.readouterr().err


# -- the full evaluation, real data, real model ------------------------------------------------------------


@pytest.fixture(scope="session")
def evaluation(embedder, data):
    return ml.evaluate(embedder, data=data, mode="genres")


def test_full_evaluation_robust_facts(evaluation):
    result = evaluation.to_json()
    assert 200 <= result["users"] <= 350
    assert set(result["methods"]) == {*METHOD_NAMES, "popularity", "random"}
    for stats in result["methods"].values():
        assert 0.0 <= stats["auc"] <= 1.0
        lo, hi = stats["auc_ci95"]
        assert lo <= stats["auc"] <= hi
        assert 0.0 <= stats["ndcg@10"] <= 1.0 and 0.0 <= stats["precision@10"] <= 1.0
    assert result["methods"]["exact"]["auc"] > result["methods"]["random"]["auc"]
    json.dumps(result, allow_nan=False)
