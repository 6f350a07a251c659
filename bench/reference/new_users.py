"""The references of `npm run bench:ranking` (bench/ranking/run.ts) on the new-user protocol: EASE and `implicit` ALS.

    python new_users.py --train train.csv --given given.csv --out DIR --k 10 \
        --ease-lambda 2000 --factors 128 --alpha 10 --reg 100 --iters 15 --threads 2

Both are fit on the training part (`train.csv`) and make each held-out user's top-k from their given half (`given.csv`,
written by `movierec-bench ranking-split`), given movies left out. They write `DIR/ease.csv` and `DIR/implicit.csv`
as `userId,movieId` lines, best first; movierec-bench scores them with the core's metric code. Prints one JSON object
(parameters, seconds, the BLAS threadpoolctl sees) on stdout.

- EASE (Steck 2019): B = I - P diag(1/diag P) with P = (X'X + lambda I)^-1, X binary; a user's scores are x_given B.
- `implicit` ALS: X binary (confidence 1 + alpha for a rated movie), plain regularisation, conjugate gradient (its
  defaults); a held-out user's factors come from `recalculate_user` on their given half.
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy.sparse as sp


def read_pairs(path):
    import pandas as pd

    frame = pd.read_csv(path, usecols=["userId", "movieId"], dtype={"userId": "int64", "movieId": "int64"})
    return frame["userId"].to_numpy(), frame["movieId"].to_numpy()


def binary_matrix(users, movies, movie_ids):
    """Rows: the distinct `users` in order; columns: `movie_ids` (movies not among them are dropped)."""
    rows, row_index = np.unique(users, return_inverse=True)
    col = np.searchsorted(movie_ids, movies)
    col = np.minimum(col, len(movie_ids) - 1)
    known = movie_ids[col] == movies
    data = np.ones(int(known.sum()), dtype=np.float32)
    matrix = sp.csr_matrix((data, (row_index[known], col[known])), shape=(len(rows), len(movie_ids)))
    return rows, matrix


def top_k_excluding(scores, given, k):
    """Each row's k best columns, best first, the row's given columns left out."""
    scores = np.array(scores, dtype=np.float64)
    coo = given.tocoo()
    scores[coo.row, coo.col] = -np.inf
    part = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(part, order, axis=1)


def write_lists(path, users, movie_ids, top):
    with open(path, "w") as out:
        out.write("userId,movieId\n")
        for user, row in zip(users, top):
            for index in row:
                if index >= 0:  # implicit pads a short list with -1
                    out.write(f"{user},{movie_ids[index]}\n")


def ease(x_train, x_given, lam, k):
    from scipy.linalg import lapack

    started = time.perf_counter()
    gram = (x_train.T @ x_train).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += lam
    factor, info = lapack.dpotrf(gram, lower=0, overwrite_a=1)
    assert info == 0, info
    inverse, info = lapack.dpotri(factor, lower=0, overwrite_c=1)  # the Cholesky inverse, upper triangle
    assert info == 0, info
    inverse = np.triu(inverse) + np.triu(inverse, 1).T
    weights = -inverse / np.diag(inverse)
    weights[np.diag_indices_from(weights)] = 0.0
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    top = top_k_excluding(x_given @ weights, x_given, k)
    return top, {"lambda": lam, "input": "binary", "fitSeconds": fit_seconds, "listSeconds": time.perf_counter() - started}


def implicit_als(x_train, x_given, args):
    import implicit
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=args.factors, regularization=args.reg, alpha=args.alpha, iterations=args.iters,
                                    calculate_training_loss=False, num_threads=args.threads, random_state=42)
    started = time.perf_counter()
    model.fit(x_train, show_progress=False)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rows = np.arange(x_given.shape[0])
    top, _ = model.recommend(rows, x_given, N=args.k, recalculate_user=True, filter_already_liked_items=True)
    params = {"library": "implicit " + implicit.__version__, "input": "binary", "factors": args.factors,
              "alpha": args.alpha, "regularization": args.reg, "iterations": args.iters, "cgSteps": model.cg_steps,
              "threads": args.threads}
    return top, {**params, "fitSeconds": fit_seconds, "listSeconds": time.perf_counter() - started}


def main():
    parser = argparse.ArgumentParser()
    for name in ("--train", "--given", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--ease-lambda", type=float, required=True)
    for name, kind in (("--factors", int), ("--alpha", float), ("--reg", float), ("--iters", int)):
        parser.add_argument(name, type=kind, required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from threadpoolctl import threadpool_info

    train_users, train_movies = read_pairs(args.train)
    movie_ids = np.unique(train_movies)
    _, x_train = binary_matrix(train_users, train_movies, movie_ids)
    given_users, x_given = binary_matrix(*read_pairs(args.given), movie_ids)
    out = {"blas": [{key: pool.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
                    for pool in threadpool_info()]}
    for name, (top, report) in (("ease", ease(x_train, x_given, args.ease_lambda, args.k)),
                                ("implicit", implicit_als(x_train, x_given, args))):
        path = f"{args.out}/{name}.csv"
        write_lists(path, given_users, movie_ids, top)
        out[name] = {**report, "lists": path}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
