//! Routing scenarios: hard constraints always hold, and the best channel fits the work.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use delegation::cost::VaTerms;
use delegation::model::{
    AttestationKind, InHouseRole, Level, Location, LpoProvider, RateCardEntry, SecurityAttestation,
    ServiceLine, Shore, Unit, VirtualAssistant, WorkingHours,
};
use delegation::routing::{
    Candidate, Channel, MatterConstraints, RoutingViolation, WorkItem, check_assignment, recommend,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).single().expect("valid")
}

fn hours(tz: Tz, start: u32, end: u32) -> WorkingHours {
    WorkingHours {
        time_zone: tz,
        start: NaiveTime::from_hms_opt(start, 0, 0).expect("valid"),
        end: NaiveTime::from_hms_opt(end, 0, 0).expect("valid"),
    }
}

fn lpo(id: &str, country: &str, shore: Shore, attestation_expires: (i32, u32, u32)) -> LpoProvider {
    let line = ServiceLine::DocumentReview;
    LpoProvider {
        id: id.into(),
        organization: format!("{id} Legal Services"),
        location: Location { country: country.into(), shore },
        working_hours: hours(
            if shore == Shore::Offshore {
                chrono_tz::Asia::Kolkata
            } else {
                chrono_tz::America::Chicago
            },
            9,
            18,
        ),
        languages: vec!["en".into()],
        specialties: BTreeSet::from([line]),
        capacity_per_day: BTreeMap::from([(line, dec!(8000))]),
        attestations: vec![SecurityAttestation {
            kind: AttestationKind::Soc2Type2,
            expires_on: NaiveDate::from_ymd_opt(
                attestation_expires.0,
                attestation_expires.1,
                attestation_expires.2,
            )
            .expect("valid"),
        }],
        rate_card: vec![RateCardEntry {
            service_line: line,
            unit: Unit::Documents,
            unit_price: if shore == Shore::Offshore { dec!(0.45) } else { dec!(0.95) },
        }],
        project_agreements: vec![],
        bulk_agreements: vec![],
    }
}

fn va(id: &str, shore: Shore) -> VirtualAssistant {
    VirtualAssistant {
        id: id.into(),
        name: format!("Assistant {id}"),
        location: Location {
            country: if shore == Shore::Onshore { "US" } else { "PH" }.into(),
            shore,
        },
        working_hours: hours(chrono_tz::America::New_York, 9, 17),
        skills: BTreeSet::from([ServiceLine::DocumentReview, ServiceLine::Drafting]),
        terms: VaTerms::Hourly { rate: dec!(40) },
        hours_per_week_available: dec!(30),
    }
}

fn paralegal() -> InHouseRole {
    InHouseRole {
        id: "paralegals".into(),
        role: "paralegal".into(),
        loaded_hourly_cost: dec!(85),
        working_hours: hours(chrono_tz::America::New_York, 9, 17),
        skills: BTreeSet::from([ServiceLine::DocumentReview, ServiceLine::Drafting]),
        hours_per_day_available: dec!(16),
        country: "US".into(),
    }
}

fn candidates() -> Vec<Candidate> {
    vec![
        Candidate { channel: Channel::InHouse(paralegal()), backlog: dec!(0) },
        Candidate {
            channel: Channel::VirtualAssistant(va("va-us", Shore::Onshore)),
            backlog: dec!(10),
        },
        Candidate {
            channel: Channel::Lpo(lpo("offshore-a", "IN", Shore::Offshore, (2027, 1, 31))),
            backlog: dec!(20000),
        },
        Candidate {
            channel: Channel::Lpo(lpo("onshore-b", "US", Shore::Onshore, (2026, 3, 1))),
            backlog: dec!(0),
        },
        Candidate {
            channel: Channel::Lpo(lpo("onshore-c", "US", Shore::Onshore, (2026, 12, 31))),
            backlog: dec!(0),
        },
    ]
}

fn review(volume: Decimal, collaboration: Level) -> WorkItem {
    WorkItem {
        id: "review-1".into(),
        service_line: ServiceLine::DocumentReview,
        unit: Unit::Documents,
        volume,
        hours_per_unit: dec!(0.02),
        repetitiveness: Level::High,
        collaboration,
        due: Utc.with_ymd_and_hms(2026, 3, 30, 0, 0, 0).single().expect("valid"),
    }
}

fn constraints() -> MatterConstraints {
    MatterConstraints {
        onshore_only: false,
        excluded: BTreeSet::new(),
        sensitive: false,
        budget: Some(dec!(60000)),
        data_residency: None,
        attorney_hours: hours(chrono_tz::America::New_York, 9, 17),
    }
}

#[test]
fn large_repetitive_review_goes_to_the_offshore_lpo_with_reasons() {
    let recommendation =
        recommend(&review(dec!(50000), Level::Low), &candidates(), &constraints(), now());
    let best = recommendation.best().expect("someone can do it");
    assert_eq!(best.candidate_id, "offshore-a");
    assert_eq!(best.estimated_cost, dec!(22500.00));
    expect_test::expect_file!["snapshots/routing-review.txt"].assert_eq(&recommendation.explain());
}

#[test]
fn onshore_only_never_offshore_and_walls_and_attestations_hold() {
    let mut matter = constraints();
    matter.onshore_only = true;
    matter.sensitive = true;
    matter.excluded.insert("onshore-c".into());
    let recommendation = recommend(&review(dec!(50000), Level::Low), &candidates(), &matter, now());
    let ranked: Vec<&str> = recommendation.ranked.iter().map(|c| c.candidate_id.as_str()).collect();
    assert!(!ranked.contains(&"offshore-a"));
    assert!(!ranked.contains(&"onshore-b"), "SOC 2 expired the day before");
    assert!(!ranked.contains(&"onshore-c"), "behind an ethical wall");
    assert_eq!(recommendation.rejected.len(), 3);

    let offshore = Channel::Lpo(lpo("offshore-a", "IN", Shore::Offshore, (2027, 1, 31)));
    assert!(matches!(
        check_assignment(&offshore, &matter, now()),
        Err(RoutingViolation::OffshoreOnOnshoreMatter { .. })
    ));
    let expired = Channel::Lpo(lpo("onshore-b", "US", Shore::Onshore, (2026, 3, 1)));
    assert_eq!(
        check_assignment(&expired, &matter, now()).map_err(|e| e.to_string()),
        Err("onshore-b has no unexpired SOC 2 or ISO 27001 attestation, required for a sensitive matter \
             (SOC 2 Type II expired 2026-03-01)"
            .to_owned())
    );
    // The same provider is fine on a matter that is not sensitive.
    assert_eq!(check_assignment(&expired, &constraints(), now()), Ok(()));
    let offshore_va = Channel::VirtualAssistant(va("va-ph", Shore::Offshore));
    assert!(check_assignment(&offshore_va, &matter, now()).is_err());
    let mut residency = constraints();
    residency.data_residency = Some(BTreeSet::from(["US".to_owned()]));
    assert!(matches!(
        check_assignment(&offshore, &residency, now()),
        Err(RoutingViolation::DataResidency { .. })
    ));
}

#[test]
fn small_collaborative_work_goes_to_a_person_not_an_lpo() {
    let recommendation =
        recommend(&review(dec!(500), Level::High), &candidates(), &constraints(), now());
    let best = recommendation.best().expect("someone can do it");
    assert_ne!(best.kind, "LPO", "{}", recommendation.explain());
}

proptest! {
    #[test]
    fn onshore_only_matters_never_rank_an_offshore_candidate(
        shores in prop::collection::vec(any::<bool>(), 1..8),
        excluded in prop::collection::vec(any::<bool>(), 8),
        volume in 1u32..200_000,
        sensitive in any::<bool>(),
    ) {
        let candidates: Vec<Candidate> = shores
            .iter()
            .enumerate()
            .map(|(i, offshore)| {
                let shore = if *offshore { Shore::Offshore } else { Shore::Onshore };
                let channel = if i % 2 == 0 {
                    Channel::Lpo(lpo(&format!("lpo{i}"), if *offshore { "IN" } else { "US" }, shore, (2026, 1 + (i as u32 % 6), 1)))
                } else {
                    Channel::VirtualAssistant(va(&format!("va{i}"), shore))
                };
                Candidate { channel, backlog: Decimal::ZERO }
            })
            .collect();
        let mut matter = constraints();
        matter.onshore_only = true;
        matter.sensitive = sensitive;
        for (i, exclude) in excluded.iter().enumerate() {
            if *exclude {
                matter.excluded.insert(format!("lpo{i}"));
                matter.excluded.insert(format!("va{i}"));
            }
        }
        let recommendation = recommend(&review(Decimal::from(volume), Level::Low), &candidates, &matter, now());
        for scored in &recommendation.ranked {
            let candidate = candidates.iter().find(|c| c.channel.id() == scored.candidate_id).expect("known");
            prop_assert!(check_assignment(&candidate.channel, &matter, now()).is_ok());
            prop_assert!(!matter.excluded.contains(&scored.candidate_id));
            prop_assert!(!scored.candidate_id.starts_with("lpo") || !shores[scored.candidate_id[3..].parse::<usize>().expect("index")]);
        }
        prop_assert_eq!(recommendation.ranked.len() + recommendation.rejected.len(), candidates.len());
    }
}
