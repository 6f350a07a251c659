"""Minimal Python reference for `npm run bench:http`: POST /predict with the same fold-in as movierec.

Flask + numpy, served by gunicorn (one worker per core, one BLAS thread per worker: bench/http/run.ts sets the
environment, and GET /readyz reports the BLAS library, kernel and thread count threadpoolctl sees). It loads the same model folder (MODEL_DIR: the .npy arrays,
movies.json and model.json that movierec writes) and answers the seed's call: `[[movieId, ...], [rating, ...]]` in,
`[[title, ...], [estimatedRating, ...]]` out, the best M (query parameter, default 20) not in the input.

The fold-in is the ALS user half-step of native/core/src/linalg/solve.rs: minimise
    sum_j (r_j - mean - b_j - b - q_j.p)^2 + reg_bias * n' * b^2 + reg_factors * n' * |p|^2, n' = n + priorCount
over the user's bias b and factors p, i.e. the (k+1)x(k+1) normal equations with features [1, q_j], solved here with
numpy.linalg.solve. As in native/core/src/recommend/selection.rs, an explicit model's list is selected by the estimate plus
POPULARITY_WEIGHT * ln(1 + training ratings of the movie) and shown by the estimate, descending. Unknown ids are
ignored; with no known movie the list is mean + movie bias (the reference does not
reproduce movierec's minimum-support filter of the non-personalised list: the benchmark always sends known movies).
"""

import json
import os

import numpy as np
from flask import Flask, jsonify, request
from threadpoolctl import threadpool_info

MODEL_DIR = os.environ["MODEL_DIR"]


def _load(name):
    return np.load(os.path.join(MODEL_DIR, name))


with open(os.path.join(MODEL_DIR, "model.json"), encoding="utf-8") as f:
    META = json.load(f)
ITEM_FACTORS = _load("item_factors.npy").astype(np.float32)
ITEM_BIAS = _load("item_bias.npy").astype(np.float32)
ITEM_IDS = _load("item_ids.npy")
# recommend::selection::POPULARITY_WEIGHT: which movies enter an explicit model's personalised list (not how they are shown).
POPULARITY_WEIGHT = 0.3
SELECTION_BIAS = ITEM_BIAS
if META["params"].get("feedback", "explicit") == "explicit":
    SELECTION_BIAS = (ITEM_BIAS + POPULARITY_WEIGHT * np.log1p(_load("item_counts.npy").astype(np.float32))).astype(
        np.float32
    )
INDEX = {int(raw): i for i, raw in enumerate(ITEM_IDS)}
MEAN = float(META["globalMean"])
REG_BIAS = float(META["params"]["regBias"])
REG_FACTORS = float(META["params"]["regFactors"])
# Weighted-lambda with a prior: a user with n ratings is regularised as if they had n + priorCount (model.json holds
# it; models written before it existed load with ALS's default, in the table of native/core/src/params/table.rs).
PRIOR_COUNT = float(META["params"].get("priorCount", 150.0))
SCALE_MIN = float(META["scale"]["min"])
SCALE_MAX = float(META["scale"]["max"])
TITLES = [str(raw) for raw in ITEM_IDS]
movies_path = os.path.join(MODEL_DIR, "movies.json")
if os.path.exists(movies_path):
    with open(movies_path, encoding="utf-8") as f:
        by_id = {m["id"]: m["title"] for m in json.load(f)}
    TITLES = [by_id.get(int(raw), str(raw)) for raw in ITEM_IDS]
K = ITEM_FACTORS.shape[1]

# What numpy computes with: a reference slowed by a forced OpenBLAS kernel or by BLAS threads competing with the other
# worker would not be an honest one, so the benchmark prints this beside its figures.
BLAS = [
    {"library": i["internal_api"], "kernel": i.get("architecture"), "threads": i["num_threads"]}
    for i in threadpool_info()
]

app = Flask(__name__)


def fold_in(cols, ratings):
    q = ITEM_FACTORS[cols].astype(np.float64)
    x = np.hstack([np.ones((len(cols), 1)), q])
    y = ratings - MEAN - ITEM_BIAS[cols]
    n = len(cols) + PRIOR_COUNT
    a = x.T @ x
    a[0, 0] += n * REG_BIAS
    a[np.arange(1, K + 1), np.arange(1, K + 1)] += n * REG_FACTORS
    w = np.linalg.solve(a, x.T @ y)
    return w[0], w[1:].astype(np.float32)


@app.get("/readyz")
def readyz():
    return jsonify({"status": "ready", "blas": BLAS})


@app.post("/predict")
def predict():
    body = request.get_json(force=True, silent=True)
    if not (isinstance(body, list) and len(body) == 2 and len(body[0]) == len(body[1])):
        return jsonify({"error": {"code": "INVALID_INPUT", "message": "body must be [[ids], [ratings]]"}}), 400
    m = int(request.args.get("M", 20))
    pairs = {}
    for movie, rating in zip(body[0], body[1]):
        i = INDEX.get(int(movie))
        if i is not None:
            pairs[i] = float(rating)
    if pairs:
        cols = np.fromiter(pairs.keys(), dtype=np.int64)
        bias, factors = fold_in(cols, np.fromiter(pairs.values(), dtype=np.float64))
        dots = ITEM_FACTORS @ factors
        selection = SELECTION_BIAS + dots
        selection[cols] = -np.inf
        top = np.argpartition(-selection, m)[:m]
        shown = MEAN + bias + ITEM_BIAS[top] + dots[top]
    else:
        scores = MEAN + ITEM_BIAS
        top = np.argpartition(-scores, m)[:m]
        shown = scores[top]
    order = np.argsort(-shown, kind="stable")
    top, estimates = top[order], np.clip(shown[order], SCALE_MIN, SCALE_MAX)
    return jsonify([[TITLES[i] for i in top], [round(float(s), 4) for s in estimates]])
