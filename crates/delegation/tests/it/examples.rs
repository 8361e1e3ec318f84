//! The shipped example profiles in `<workspace>/examples`, loaded from disk and advised on.

use std::path::PathBuf;

use delegation::advisor::{Advice, DeliveryModel, advise_toml, render_table, svg_bar_chart};
use delegation::model::ServiceLine;

fn advise_example(name: &str) -> Advice {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    advise_toml(&text).expect("example profile is valid")
}

fn recommended(advice: &Advice, line: ServiceLine) -> DeliveryModel {
    advice.lines.iter().find(|l| l.service_line == line).expect("line in profile").recommended
}

#[test]
fn solo_practitioner_gets_a_virtual_assistant() {
    let advice = advise_example("solo-practitioner.profile.toml");
    for line in [
        ServiceLine::CalendarEmailCommunication,
        ServiceLine::Drafting,
        ServiceLine::BillingInvoicing,
    ] {
        assert_eq!(recommended(&advice, line), DeliveryModel::VirtualAssistant, "{line}");
    }
    assert!(advice.total_saving > rust_decimal::Decimal::ZERO);
    expect_test::expect_file!["snapshots/solo-practitioner.txt"].assert_eq(&render_table(&advice));
}

#[test]
fn large_firm_sends_review_offshore_and_support_to_assistants() {
    let advice = advise_example("large-firm-review.profile.toml");
    assert_eq!(recommended(&advice, ServiceLine::DocumentReview), DeliveryModel::LpoOffshore);
    assert_eq!(
        recommended(&advice, ServiceLine::CalendarEmailCommunication),
        DeliveryModel::VirtualAssistant
    );
    assert_eq!(recommended(&advice, ServiceLine::Drafting), DeliveryModel::VirtualAssistant);
    expect_test::expect_file!["snapshots/large-firm-review.txt"].assert_eq(&render_table(&advice));
}

#[test]
fn government_client_never_goes_offshore() {
    let advice = advise_example("government-onshore.profile.toml");
    for line in &advice.lines {
        assert!(!line.recommended.is_offshore(), "{}", line.service_line);
        for projection in &line.projections {
            assert!(
                !projection.recommended.is_offshore(),
                "{} ×{}",
                line.service_line,
                projection.multiplier
            );
        }
    }
    assert_eq!(recommended(&advice, ServiceLine::DocumentReview), DeliveryModel::LpoOnshore);
    expect_test::expect_file!["snapshots/government-onshore.txt"].assert_eq(&render_table(&advice));
    let svg = svg_bar_chart(&advice);
    assert!(
        !svg.contains("LPO offshore"),
        "offshore options are not charted for an onshore-only client"
    );
}
