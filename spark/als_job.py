"""The PySpark job of `movierec train --engine spark`: Spark MLlib ALS on a ratings CSV, saved as an ALSModel folder.

    python als_job.py --ratings FILE.csv --out DIR [--rank N --reg-param X --max-iter N --seed N]
                      [--implicit-prefs --alpha X] [--master URL] [--driver-memory SIZE]

FILE.csv is `userId,movieId,rating,timestamp` with a header (what movierec writes from the ratings it read, whatever
their MovieLens layout). DIR receives `model.write().save(DIR)`: metadata/, userFactors/, itemFactors/, which
`movierec import spark DIR` reads. A parameter left out is Spark's default. The last line on stdout is one JSON
object: sparkVersion, seconds, counts, and the estimator's parameters as Spark used them (which a saved ALSModel does
not keep, so the import is told them).
"""

import argparse
import json
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ratings", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--rank", type=int)
    p.add_argument("--reg-param", type=float)
    p.add_argument("--max-iter", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--implicit-prefs", action="store_true")
    p.add_argument("--alpha", type=float)
    p.add_argument("--master", default="local[*]")
    p.add_argument("--driver-memory", default="4g")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    started = time.time()
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import SparkSession
    from pyspark.sql.types import FloatType, IntegerType, LongType, StructField, StructType

    spark = (
        SparkSession.builder.master(args.master)
        .appName("movierec-als")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        schema = StructType(
            [
                StructField("userId", IntegerType(), False),
                StructField("movieId", IntegerType(), False),
                StructField("rating", FloatType(), False),
                StructField("timestamp", LongType(), True),
            ]
        )
        ratings = spark.read.csv(args.ratings, header=True, schema=schema, mode="FAILFAST")
        given = {
            "rank": args.rank,
            "maxIter": args.max_iter,
            "regParam": args.reg_param,
            "seed": args.seed,
            "alpha": args.alpha,
        }
        als = ALS(userCol="userId", itemCol="movieId", ratingCol="rating", implicitPrefs=args.implicit_prefs)
        als.setParams(**{name: value for name, value in given.items() if value is not None})
        model = als.fit(ratings)
        model.write().overwrite().save(args.out)
        summary = {
            "sparkVersion": spark.version,
            "seconds": round(time.time() - started, 2),
            "users": model.userFactors.count(),
            "movies": model.itemFactors.count(),
            "params": {
                "rank": als.getRank(),
                "regParam": als.getRegParam(),
                "maxIter": als.getMaxIter(),
                "seed": als.getSeed(),
                "implicitPrefs": als.getImplicitPrefs(),
                "alpha": als.getAlpha(),
            },
        }
    finally:
        spark.stop()
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
