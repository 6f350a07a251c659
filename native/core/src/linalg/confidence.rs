//! How implicit feedback reads a rating: a preference `p` (1 liked, 0 not) and a confidence `c >= 1` in it (Hu,
//! Koren, Volinsky 2008). Every rated pair enters a row's system with weight `c`; every unrated pair is a preference 0
//! with confidence 1. Training (`cg_implicit`) and the exact fold-in (`implicit_exact`) read ratings through this one
//! function.

/// The rating-to-(confidence, preference) map of one model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ConfidenceFn {
    /// Every rating a preference 1 with confidence `1 + alpha * rating`.
    Linear { alpha: f32 },
    /// Every rating a preference 1 with confidence `alpha * rating` (`implicit`'s rule; only for its imported models).
    Scaled { alpha: f32 },
    /// `rating >= liked`: preference 1, confidence `1 + alpha`; `disliked < rating < liked`: preference 1,
    /// `1 + alpha * mid`; `rating <= disliked`: preference 0, `1 + alpha * low`.
    Graded {
        alpha: f32,
        mid: f32,
        low: f32,
        liked: f32,
        disliked: f32,
    },
}

impl ConfidenceFn {
    /// `(confidence, preference)` of `rating`.
    #[inline(always)]
    pub(crate) fn of(self, rating: f32) -> (f32, f32) {
        match self {
            ConfidenceFn::Linear { alpha } => (1.0 + alpha * rating, 1.0),
            ConfidenceFn::Scaled { alpha } => (alpha * rating, 1.0),
            ConfidenceFn::Graded {
                alpha,
                mid,
                low,
                liked,
                disliked,
            } => {
                // Selects rather than branches: ratings come in no order, so a branch would mispredict often.
                let liked_or_middling = rating > disliked;
                let weight = if rating >= liked {
                    1.0
                } else if liked_or_middling {
                    mid
                } else {
                    low
                };
                (1.0 + alpha * weight, if liked_or_middling { 1.0 } else { 0.0 })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConfidenceFn;

    #[test]
    fn graded_confidence_by_hand() {
        let f = ConfidenceFn::Graded {
            alpha: 10.0,
            mid: 0.25,
            low: 0.5,
            liked: 4.0,
            disliked: 2.0,
        };
        assert_eq!(f.of(5.0), (11.0, 1.0));
        assert_eq!(f.of(4.0), (11.0, 1.0));
        assert_eq!(f.of(3.5), (3.5, 1.0));
        assert_eq!(f.of(2.5), (3.5, 1.0));
        assert_eq!(f.of(2.0), (6.0, 0.0));
        assert_eq!(f.of(0.5), (6.0, 0.0));
        assert_eq!(ConfidenceFn::Linear { alpha: 2.0 }.of(3.0), (7.0, 1.0));
        assert_eq!(ConfidenceFn::Scaled { alpha: 2.0 }.of(3.0), (6.0, 1.0));
    }
}
