"""`implicit` (PyPI) both ways, for test/interop/implicit.test.ts. One JSON document on stdout.

    python implicit_models.py train RATINGS OUT.npz USERS
        Fits implicit's ALS (factors 16, 8 iterations, regularization 0.05, alpha 2, random_state 1) on RATINGS
        (`userId,movieId,rating,...` CSV with a header; rows and columns numbered by ascending id, as
        numpy.unique does), saves it to OUT.npz, and gives the top 10 of the first USERS users, their rated movies
        left out: {"lists": {user id: [movie ids]}}.
    python implicit_models.py score MODEL.npz REQUEST.json
        Loads MODEL.npz with AlternatingLeastSquares.load and scores, for each {"user", "movies"} of REQUEST.json
        (ids, mapped to rows by the archive's movierec_user_ids / movierec_item_ids), the given movies:
        {"scores": [[...], ...], "factors": model.factors}.
"""

import json
import sys

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares


def read_ratings(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1, 2))
    users, user_rows = np.unique(data[:, 0].astype(np.int64), return_inverse=True)
    movies, movie_rows = np.unique(data[:, 1].astype(np.int64), return_inverse=True)
    matrix = sp.csr_matrix((data[:, 2].astype(np.float32), (user_rows, movie_rows)), shape=(len(users), len(movies)))
    return users, movies, matrix


def train(ratings, out, users_wanted):
    users, movies, matrix = read_ratings(ratings)
    model = AlternatingLeastSquares(factors=16, iterations=8, regularization=0.05, alpha=2.0, random_state=1)
    model.fit(matrix, show_progress=False)
    model.save(out)
    lists = {}
    for row in range(int(users_wanted)):
        ids, _ = model.recommend(row, matrix[row], N=10, filter_already_liked_items=True)
        lists[int(users[row])] = [int(movies[i]) for i in ids]
    return {"lists": lists}


def score(npz, request):
    model = AlternatingLeastSquares.load(npz)
    user_rows = {int(u): r for r, u in enumerate(model.movierec_user_ids)}
    movie_rows = {int(m): r for r, m in enumerate(model.movierec_item_ids)}
    empty = sp.csr_matrix((1, model.item_factors.shape[0]), dtype=np.float32)
    scores = []
    with open(request) as f:
        for entry in json.load(f):
            rows = np.array([movie_rows[m] for m in entry["movies"]])
            ids, values = model.recommend(
                user_rows[entry["user"]], empty, N=len(rows), items=rows, filter_already_liked_items=False
            )
            by_row = dict(zip(ids.tolist(), values.tolist()))
            scores.append([by_row[r] for r in rows.tolist()])
    return {"scores": scores, "factors": int(model.factors)}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print(json.dumps({"train": train, "score": score}[command](*args)))
