//! The parameters whose value is one of a few words. Each variant is written once with its word; the word list,
//! the conversions and JSON (the word) come from that.

use super::value::{ParamType, ParamValue};

macro_rules! word_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $variant_doc:literal])* $variant:ident = $word:literal,)+ }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[doc = $variant_doc])* $variant,)+
        }

        impl $name {
            /// The words, in the order help and errors list them.
            pub const WORDS: &'static [&'static str] = &[$($word,)+];

            pub fn word(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            pub fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.word())
            }
        }

        impl ParamType for $name {
            fn read(value: &serde_json::Value) -> Option<Self> {
                value.as_str().and_then(Self::from_word)
            }
            fn value(&self) -> ParamValue {
                ParamValue::Word(self.word())
            }
        }
    };
}

word_enum! {
    /// Which objective the factors are trained for.
    Feedback {
        /// Ratings, predicted as ratings.
        Explicit = "explicit",
        /// Confidence-weighted preferences, for top-N lists (`als::implicit`).
        Implicit = "implicit",
    }
}

word_enum! {
    /// How the explicit model is fitted.
    Method {
        /// Gibbs sampling (`als::bayes`): `iterations` ALS sweeps start a chain of `burnIn + samples` sweeps, and the
        /// model stored is the posterior mean of the sampled factors and biases.
        Gibbs = "gibbs",
        /// Alternating least squares: `iterations` sweeps to the regularised optimum.
        Als = "als",
    }
}

word_enum! {
    /// How explicit ALS solves each row's regularised least squares.
    Solver {
        /// Exactly: normal equations and Cholesky.
        Cholesky = "cholesky",
        /// Approximately: `cgSteps` conjugate-gradient steps warm-started from the row's previous values (faster; its
        /// RMSE cost is in docs/benchmarks.md).
        Cg = "cg",
    }
}

word_enum! {
    /// Which model chooses the movies of a list (the rating model always gives the estimates shown).
    Ranking {
        /// An implicit-feedback ALS trained beside the rating model, with the implicit defaults.
        Implicit = "implicit",
        /// The rating model itself (its estimate plus a popularity term).
        None = "none",
    }
}

word_enum! {
    /// How implicit feedback turns a rating into a preference and a confidence in it (`linalg::confidence`).
    Confidence {
        /// Liked (at least 4/5 of the scale's top) is a preference 1 with confidence `1 + alpha`, middling (above 2/5
        /// and below 4/5) a preference 1 with `1 + alpha * confidenceMid`, disliked (2/5 or less) a preference 0 with
        /// `1 + alpha * confidenceLow`.
        Graded = "graded",
        /// Every rating a preference 1 with confidence `1 + alpha * rating`.
        Linear = "linear",
    }
}

word_enum! {
    /// How implicit feedback regularises a row's factors.
    RegScaling {
        /// One lambda, `regFactors`, for every row (`regFactors` 0: from the data's size, `als::implicit`).
        Plain = "plain",
        /// `regFactors` times the row's rating count (weighted-lambda, as the explicit modes).
        Weighted = "weighted",
    }
}
