"""Trains the Spark models the interop tests import, in one Spark session (one JVM start):

    python spark_models.py OUT RATINGS_A RATINGS_B USERS

- OUT/a: ALS (explicit, rank 8, maxIter 8, regParam 0.1, seed 3) on RATINGS_A, saved; OUT/a-transform.csv: Spark's
  `transform` of every (user, movie) pair of the first USERS users of RATINGS_A and every movie of the model.
- OUT/b: ALS (explicit, rank 16, maxIter 10, regParam 0.05, seed 5) on RATINGS_B (the planted demo catalogue).
Ratings files are `userId,movieId,rating,...` CSV with a header.
"""

import sys

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def main(out, ratings_a, ratings_b, users):
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("movierec-interop-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    def read(path):
        df = spark.read.csv(path, header=True, inferSchema=True)
        return df.select(
            F.col(df.columns[0]).cast("int").alias("user"),
            F.col(df.columns[1]).cast("int").alias("item"),
            F.col(df.columns[2]).cast("float").alias("rating"),
        )

    a = read(ratings_a).cache()
    model = ALS(rank=8, maxIter=8, regParam=0.1, seed=3).fit(a)
    model.write().overwrite().save(f"{out}/a")
    first = a.select("user").distinct().orderBy("user").limit(int(users))
    pairs = first.crossJoin(model.itemFactors.select(F.col("id").alias("item")))
    model.transform(pairs).orderBy("user", "item").coalesce(1).write.mode("overwrite").csv(
        f"{out}/a-transform", header=True
    )

    b = read(ratings_b)
    ALS(rank=16, maxIter=10, regParam=0.05, seed=5).fit(b).write().overwrite().save(f"{out}/b")
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
