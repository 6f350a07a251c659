"""Writes a Spark MLlib ALSModel folder of a given shape without training it for hours (bench/interop/run.ts):

    python spark_model.py OUT USERS MOVIES RANK

Spark itself writes it: the metadata of a real ALSModel of that rank (an ALS fitted on 16 ratings, saved), then its
userFactors/ and itemFactors/ replaced by generated ones in the same schema (`id` int, `features` array<float>),
10 part files each as ALS's default 10 blocks give, snappy as Spark's default. User ids are 1..USERS, movie ids
1, 4, 7, ... (sparse, as MovieLens's are). The last stdout line is one JSON object describing the folder.
"""

import json
import sys
import time

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def main(out, users, movies, rank):
    users, movies, rank = int(users), int(movies), int(rank)
    started = time.time()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("movierec-bench-spark-model")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    tiny = spark.createDataFrame(
        [(u, i, float((u * i) % 5 + 1)) for u in range(4) for i in range(4)], ["user", "item", "rating"]
    )
    ALS(rank=rank, maxIter=1, seed=1).fit(tiny).write().overwrite().save(out)

    def table(n, step, seed):
        features = F.array(*[(F.rand(seed * 1000 + j) * 0.5).cast("float") for j in range(rank)])
        return spark.range(n).repartition(10).select(
            (F.col("id") * step + 1).cast("int").alias("id"), features.alias("features")
        )

    table(users, 1, 1).write.mode("overwrite").parquet(f"{out}/userFactors")
    table(movies, 3, 2).write.mode("overwrite").parquet(f"{out}/itemFactors")
    version = spark.version
    spark.stop()
    print(json.dumps({"out": out, "users": users, "movies": movies, "rank": rank, "sparkVersion": version,
                      "seconds": round(time.time() - started, 1)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
