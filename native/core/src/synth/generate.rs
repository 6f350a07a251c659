//! The generator itself: the movie side from global streams, then every user in parallel from their own.

use super::movies::{catalogue, coverage_owners, genre_list, movie_ids, movie_side, pick_clusters};
use super::params::{
    SynthParams, GENRE_FREQUENCY, GENRE_NAMES, MIN_FAVOURITE_FREQUENCY, STREAM_ACTIVITY, STREAM_CLUSTERS,
};
use super::planted::{self, PlantedModel, PlantedTruth};
use super::popularity::activity_counts;
use super::users::UserSide;
use crate::dataset::{Catalogue, RatingTriples};
use crate::rng::seeded;
use crate::Result;

/// A generated data set: ratings (sorted by user, then movie), the movie catalogue, and the planted truth.
#[derive(Clone, Debug)]
pub struct SynthData {
    pub triples: RatingTriples,
    pub catalogue: Catalogue,
    pub truth: PlantedTruth,
}

/// Generates the data set `params` describes. Fails with `InvalidInput` when the parameters are impossible.
pub fn generate(params: &SynthParams) -> Result<SynthData> {
    params.validate()?;
    let (movies, popularity, ranks) = movie_side(params);
    let counts = activity_counts(
        &mut seeded(params.seed, STREAM_ACTIVITY),
        params.users,
        params.ratings,
        params.max_ratings_per_user(),
    );
    let coverage = coverage_owners(params, &counts);

    let clusters = pick_clusters(params, &ranks, &mut seeded(params.seed, STREAM_CLUSTERS));
    let mut movie_cluster = vec![planted::NO_CLUSTER; params.movies];
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            movie_cluster[m] = c as u16;
        }
    }
    let genre_weights = GENRE_FREQUENCY[..params.genres]
        .iter()
        .map(|&f| if f >= MIN_FAVOURITE_FREQUENCY { f } else { 0.0 })
        .collect();
    let model = PlantedModel {
        movies: planted::MovieSide {
            cluster: movie_cluster,
            ..movies
        },
        genre_weights,
        fan_rate: PlantedModel::fan_rate_for(params.clusters),
    };

    let movie_ids = movie_ids(params);
    let users = UserSide::generate(params, &model, &popularity, &counts, &coverage, &clusters, &movie_ids);
    let catalogue = catalogue(params, &model, &clusters, &movie_ids);
    let truth = PlantedTruth {
        params: params.clone(),
        genre_names: GENRE_NAMES[..params.genres].iter().map(|g| g.to_string()).collect(),
        movie_genres: model.movies.genre_mask.iter().map(|&mask| genre_list(mask)).collect(),
        favourite_genre: users.favourite_genre,
        taste_strength: users.taste_strength,
        clusters: clusters
            .iter()
            .map(|c| c.iter().map(|&m| movie_ids[m]).collect())
            .collect(),
        cluster_fans: users.cluster_fans,
        movie_ids,
        model,
    };
    Ok(SynthData {
        triples: users.triples,
        catalogue,
        truth,
    })
}
