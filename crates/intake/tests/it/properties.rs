//! Scoring properties: bounded, symmetric, and 1 for identical names.

use intake::{NameKind, score_names};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-zÀ-ÿ]{1,10}", 1..5).prop_map(|words| words.join(" "))
}

fn kind() -> impl Strategy<Value = NameKind> {
    prop_oneof![Just(NameKind::Person), Just(NameKind::Organization), Just(NameKind::Unknown)]
}

proptest! {
    #[test]
    fn score_is_bounded_and_symmetric(a in name(), b in name(), kind in kind()) {
        let ab = score_names(&a, &b, kind).score;
        let ba = score_names(&b, &a, kind).score;
        prop_assert!((0.0..=1.0).contains(&ab), "{ab}");
        prop_assert!((ab - ba).abs() < 1e-9, "{ab} vs {ba}");
    }

    #[test]
    fn identical_names_score_one(a in name(), kind in kind()) {
        prop_assert_eq!(score_names(&a, &a, kind).score, 1.0);
    }

    #[test]
    fn case_does_not_matter(a in "[A-Za-z]{2,10}( [A-Za-z]{2,10}){1,3}") {
        prop_assert_eq!(score_names(&a, &a.to_uppercase(), NameKind::Unknown).score, 1.0);
    }
}
