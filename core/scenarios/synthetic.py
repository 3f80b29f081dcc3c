"""Deterministic synthetic scenarios for benchmarks (``bench-10k`` and friends).

The feature names are real tags, so that their embeddings spread out the way
a real catalogue's would; numbered placeholders ("feature 17") would all sit
in one corner of the space and make every method look alike.

>>> s = generate_scenario(n_products=30, n_features=20, n_users=2, seed=1)
>>> len(s.products), len(s.vocabulary), len(s.users)
(30, 20, 2)
>>> generate_scenario(n_products=30, n_features=20, n_users=2, seed=1) == s
True
"""

from __future__ import annotations

import numpy as np

from core.scenarios.model import MAX_FEATURES, Scenario

# fmt: off
BASE_TAGS: tuple[str, ...] = (
    # food and drink
    "wine", "craft beer", "cocktails", "coffee", "tea", "street food", "fine dining", "vegan food",
    "seafood", "barbecue", "spicy food", "desserts", "cheese", "baking", "brunch", "sushi",
    "pizza", "chocolate", "whisky", "farmers markets",
    # outdoors
    "hiking", "camping", "climbing", "cycling", "running", "swimming", "surfing", "skiing",
    "sailing", "kayaking", "fishing", "birdwatching", "gardening", "stargazing", "beaches", "mountains",
    "forests", "deserts", "wildlife", "national parks",
    # culture
    "museums", "art galleries", "theatre", "opera", "ballet", "poetry", "history", "architecture",
    "photography", "street art", "film festivals", "book clubs", "philosophy", "languages", "calligraphy",
    "ceramics", "jazz", "classical music", "heavy metal", "hip hop",
    # music and sound
    "electronic music", "folk music", "karaoke", "live music", "vinyl records", "choirs", "drumming",
    "silence", "loud noise", "acoustic guitar",
    # social
    "crowds", "nightlife", "dancing", "parties", "small groups", "solitude", "networking", "dating",
    "family time", "children", "pets", "dogs", "cats", "volunteering", "community events", "team sports",
    # moods and sensitivities
    "anxiety", "adventure", "adrenaline", "calm", "risk", "routine", "spontaneity", "nostalgia",
    "romance", "humour", "suspense", "horror", "violence", "gore", "melancholy", "optimism",
    "competition", "cooperation", "mindfulness", "meditation",
    # body and health
    "yoga", "weightlifting", "pilates", "martial arts", "massage", "saunas", "cold water", "heat",
    "sleep", "early mornings", "late nights", "fasting", "sugar", "caffeine", "alcohol", "smoking",
    "allergies", "peanuts", "gluten", "dairy",
    # tech and work
    "programming", "gadgets", "video games", "board games", "puzzles", "chess", "robotics", "space",
    "science", "mathematics", "economics", "politics", "journalism", "podcasts", "social media",
    "privacy", "open source", "startups", "remote work", "public speaking",
    # travel and places
    "cities", "villages", "islands", "road trips", "trains", "flying", "cruises", "luxury hotels",
    "hostels", "budget travel", "long flights", "cold weather", "tropical weather", "rain", "snow",
    "heights", "caves", "underwater diving", "theme parks", "shopping malls",
    # home and craft
    "cooking", "knitting", "woodworking", "interior design", "minimalism", "collecting", "antiques",
    "fashion", "makeup", "tattoos", "cars", "motorcycles", "boats", "home repair", "sewing",
    "origami", "painting", "drawing", "sculpture", "writing",
    # media
    "documentaries", "true crime", "reality tv", "anime", "comics", "science fiction", "fantasy",
    "mystery novels", "romance novels", "thrillers", "comedy shows", "musicals", "cartoons",
    "slow cinema", "blockbusters", "subtitles", "long runtimes", "cliffhangers", "spoilers", "sequels",
    # values and lifestyle
    "sustainability", "recycling", "organic food", "fair trade", "frugality", "luxury", "tradition",
    "novelty", "spirituality", "religion", "independence", "structure", "flexibility", "punctuality",
    "craftsmanship", "efficiency", "comfort", "challenge", "learning", "teaching",
)
# fmt: on

QUALIFIERS: tuple[str, ...] = ("", "outdoor", "beginner", "premium", "late-night")


def feature_names(n: int) -> list[str]:
    """The first ``n`` synthetic feature names: real tags, then qualified tags."""
    if not 1 <= n <= MAX_FEATURES:
        raise ValueError(f"n_features must be in [1, {MAX_FEATURES}], got {n}")
    names: list[str] = []
    for qualifier in QUALIFIERS:
        for tag in BASE_TAGS:
            names.append(f"{qualifier} {tag}".strip())
            if len(names) == n:
                return names
    raise ValueError(f"n_features must be at most {len(names)}, got {n}")


def generate_scenario(
    *,
    n_products: int = 10_000,
    n_features: int = 200,
    n_users: int = 3,
    seed: int = 7,
    scenario_id: str | None = None,
) -> Scenario:
    """Build a seeded random scenario.

    Products carry 5 to 15 features (fewer if the vocabulary is smaller), three in
    four positive; each user scores every feature uniformly in [-1, 1].
    """
    if n_products < 1:
        raise ValueError(f"n_products must be at least 1, got {n_products}")
    if n_users < 1:
        raise ValueError(f"n_users must be at least 1, got {n_users}")
    names = feature_names(n_features)
    rng = np.random.default_rng(seed)
    lo, hi = min(5, n_features), min(15, n_features)
    products = []
    for i in range(n_products):
        k = int(rng.integers(lo, hi + 1))
        chosen = rng.choice(n_features, size=k, replace=False)
        magnitudes = rng.uniform(0.3, 1.0, size=k)
        signs = np.where(rng.random(k) < 0.75, 1.0, -1.0)
        profile = {names[j]: round(float(m * s), 2) for j, m, s in zip(chosen, magnitudes, signs, strict=True)}
        products.append({"id": f"p{i:05d}", "name": f"Product {i:05d}", "profile": profile})
    users = []
    for u in range(n_users):
        scores = rng.uniform(-1.0, 1.0, size=n_features)
        users.append(
            {
                "id": f"u{u + 1}",
                "name": f"Synthetic user {u + 1}",
                "profile": {name: round(float(s), 2) for name, s in zip(names, scores, strict=True)},
            }
        )
    sid = scenario_id or f"synthetic-{n_products}x{n_features}"
    return Scenario.model_validate(
        {
            "id": sid,
            "title": f"Synthetic: {n_products:,} products, {n_features} features",
            "description": (
                f"A seeded random catalogue of {n_products:,} products, each tagged with {lo} to {hi} of "
                f"{n_features} features, and {n_users} users who score every feature. It exists to measure "
                "speed at scale: the rankings mean nothing, the timings do."
            ),
            "users": users,
            "products": products,
        }
    )
