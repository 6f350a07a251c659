"""Reference implementations timed beside movierec by `npm run bench` (bench/run.ts), each in its own process.

    python reference.py pandas   --file ratings.csv [--repeat 3]
    python reference.py implicit --file ratings.csv --factors 64 --iters 3 --reg 0.05 --alpha 1 --cg-steps 3
    python reference.py spark    --file ratings.csv --factors 64 --iters 3 --reg 0.05

(`npm run bench:ranking`'s references are in new_users.py.)

Prints one JSON object on stdout. The implicit run gives `implicit` the same matrix and loss as movierec's implicit
mode: confidence 1 + alpha * rating (implicit reads the stored value as the confidence), preference 1, plain L2
regularisation, conjugate gradient with the same number of steps. The Spark run is explicit ALS with weighted-lambda
regularisation (Spark's ALS-WR), like movierec's explicit mode but without biases.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def read_ratings(path):
    import pandas as pd

    return pd.read_csv(path, usecols=["userId", "movieId", "rating"], dtype={"userId": "int32", "movieId": "int32", "rating": "float32"})


def run_pandas(args):
    import pandas as pd

    with open(args.file, "rb") as f:  # warm the page cache, as the Rust parser run does
        while f.read(1 << 24):
            pass
    seconds = []
    rows = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        frame = pd.read_csv(args.file)
        seconds.append(time.perf_counter() - started)
        rows = len(frame)
        del frame
    return {
        "library": "pandas " + pd.__version__,
        "call": "pandas.read_csv(path) (default C engine, all four columns)",
        "rows": rows,
        "seconds": seconds,
        "medianSeconds": statistics.median(seconds),
        "peakRssBytes": peak_rss_bytes(),
    }


def implicit_inputs(args):
    """The user x movie confidence matrix (1 + alpha * rating), its raw user and movie ids, and an unfitted model."""
    import numpy as np
    import scipy.sparse as sp
    from implicit.cpu.als import AlternatingLeastSquares

    frame = read_ratings(args.file)
    users, user_index = np.unique(frame["userId"].to_numpy(), return_inverse=True)
    movies, movie_index = np.unique(frame["movieId"].to_numpy(), return_inverse=True)
    confidence = 1.0 + args.alpha * frame["rating"].to_numpy(dtype=np.float32)
    user_items = sp.csr_matrix((confidence, (user_index, movie_index)), shape=(len(users), len(movies)), dtype=np.float32)
    del frame
    model = AlternatingLeastSquares(
        factors=args.factors,
        regularization=args.reg,
        alpha=1.0,
        iterations=args.iters,
        use_cg=True,
        calculate_training_loss=False,
        num_threads=args.threads,
        random_state=42,
    )
    model.cg_steps = args.cg_steps
    return user_items, users, movies, model


def run_implicit(args):
    import implicit
    from threadpoolctl import threadpool_info, threadpool_limits

    user_items, _, _, model = implicit_inputs(args)
    iteration_seconds = []
    # implicit parallelises over rows itself; a multi-threaded BLAS underneath only competes with it (its own advice).
    with threadpool_limits(1, "blas"):
        blas = [{"api": p.get("internal_api"), "corner": p.get("architecture"), "threads": p.get("num_threads")} for p in threadpool_info()]
        started = time.perf_counter()
        model.fit(user_items, show_progress=False, callback=lambda it, elapsed, loss: iteration_seconds.append(elapsed))
        total = time.perf_counter() - started
    return {
        "library": "implicit " + implicit.__version__,
        "factors": args.factors,
        "iterations": args.iters,
        "cgSteps": args.cg_steps,
        "threads": args.threads,
        "ratings": int(user_items.nnz),
        "iterationSeconds": iteration_seconds,
        "medianIterationSeconds": statistics.median(iteration_seconds),
        "fitSeconds": total,
        "blas": blas,
        "openblasCoretype": os.environ.get("OPENBLAS_CORETYPE"),
        "peakRssBytes": peak_rss_bytes(),
    }


def run_spark(args):
    from pyspark.sql import SparkSession
    from pyspark.sql.types import FloatType, IntegerType, LongType, StructField, StructType
    from pyspark.ml.recommendation import ALS
    import pyspark

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("movierec-bench")
        .config("spark.driver.memory", args.memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        schema = StructType([
            StructField("userId", IntegerType()), StructField("movieId", IntegerType()),
            StructField("rating", FloatType()), StructField("timestamp", LongType()),
        ])
        ratings = spark.read.csv(args.file, header=True, schema=schema).select("userId", "movieId", "rating").cache()
        count = ratings.count()  # read and cache once, outside the timed fits

        def fit_seconds(iterations):
            als = ALS(rank=args.factors, maxIter=iterations, regParam=args.reg, userCol="userId", itemCol="movieId",
                      ratingCol="rating", implicitPrefs=False, seed=42, numUserBlocks=2, numItemBlocks=2)
            started = time.perf_counter()
            model = als.fit(ratings)
            model.userFactors.count()  # factors are materialised lazily; count forces the whole fit
            model.itemFactors.count()
            return time.perf_counter() - started

        # Spark reports no per-iteration time: the difference between a longer and a one-iteration fit removes
        # the fixed cost (planning, shuffles of the rating blocks, the final factor materialisation).
        one = fit_seconds(1)
        more = fit_seconds(args.iters)
        per_iteration = (more - one) / max(args.iters - 1, 1)
        return {
            "library": "pyspark " + pyspark.__version__ + " local[2]",
            "factors": args.factors,
            "iterations": args.iters,
            "ratings": count,
            "fitOneIterationSeconds": one,
            "fitSeconds": more,
            "medianIterationSeconds": per_iteration,
            "peakRssBytes": peak_rss_bytes(),
        }
    finally:
        spark.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["pandas", "implicit", "spark"])
    parser.add_argument("--file", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iters", type=int, default=3)
    parser.add_argument("--reg", type=float, default=0.05)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--cg-steps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory", default="8g")
    args = parser.parse_args()
    run = {"pandas": run_pandas, "implicit": run_implicit, "spark": run_spark}[args.command]
    json.dump(run(args), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
