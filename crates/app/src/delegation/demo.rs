//! The delegation part of the demo firm: Meridian (offshore, India) with a rate card, attestations and a bulk
//! agreement; an onshore provider; Vera's assistant profile on a retainer; in-house costs; a budget; and the
//! 50,000-document review routed to Meridian, split into batches with the first one delivered and sampled.

use super::{ProviderForm, RouteDecisionForm, VaProfileForm};
use crate::auth::actor_of;
use crate::{App, ContactForm, Result};

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(app: &App, firm: &crate::demo::DemoFirm) -> Result<()> {
    let [admin, alice, _ben, _sam, vera, manoj, priya] = &firm.users[..] else {
        return Err(crate::AppError::Internal("the demo firm has seven users".into()));
    };
    let (admin_actor, alice_actor) = (actor_of(admin), actor_of(alice));
    app.save_provider(
        &admin_actor,
        &ProviderForm {
            organization_id: firm.lpo_organization.to_string(),
            country: "IN".into(),
            shore: "offshore".into(),
            time_zone: "Asia/Kolkata".into(),
            work_start: "09:30".into(),
            work_end: "18:30".into(),
            languages: "English, Hindi, Tamil".into(),
            service_lines: "document_review, record_retrieval, contract_management, litigation_support".into(),
            capacity: "document_review=6000, record_retrieval=300, contract_management=200, litigation_support=40".into(),
            attestations: "iso27001:2027-06-30, soc2_type2:2026-09-30".into(),
            rates: "document_review:documents:0.45, record_retrieval:records:9, contract_management:documents:14, litigation_support:hours:22".into(),
        },
    )
    .await?;
    app.add_agreement(
        &admin_actor,
        firm.lpo_organization,
        "Meridian master services agreement: bulk review",
        "bulk",
        serde_json::json!({
            "unit": "documents",
            "tiers": [{"up_to": "50000", "unit_price": "0.45"}, {"up_to": "200000", "unit_price": "0.38"}],
            "minimum_monthly_commitment": "5000",
            "overage_unit_price": "0.33"
        }),
        app.now().date_naive(),
    )
    .await?;
    let onshore = app
        .create_contact(
            &admin_actor,
            &ContactForm {
                kind: "organization".into(),
                name: "Lakeshore Legal Solutions LLC".into(),
                ..Default::default()
            },
        )
        .await?
        .0;
    app.save_provider(
        &admin_actor,
        &ProviderForm {
            organization_id: onshore.id.to_string(),
            country: "US".into(),
            shore: "onshore".into(),
            time_zone: "America/Chicago".into(),
            work_start: "08:00".into(),
            work_end: "17:00".into(),
            languages: "English, Spanish".into(),
            service_lines: "document_review, compliance_monitoring, record_retrieval".into(),
            capacity: "document_review=2500, compliance_monitoring=16, record_retrieval=150".into(),
            attestations: "soc2_type2:2027-03-31".into(),
            rates: "document_review:documents:0.95, compliance_monitoring:hours:75, record_retrieval:records:18".into(),
        },
    )
    .await?;
    app.save_va_profile(
        &admin_actor,
        &VaProfileForm {
            user_id: vera.id.to_string(),
            country: "US".into(),
            shore: "onshore".into(),
            time_zone: "America/New_York".into(),
            work_start: "08:00".into(),
            work_end: "16:00".into(),
            skills: "calendar_communication, drafting, billing_invoicing, litigation_support, efiling_case_administration".into(),
            terms_kind: "retainer".into(),
            monthly_fee: "2400".into(),
            included_hours: "60".into(),
            overage_rate: "45".into(),
            rollover_max_hours: "10".into(),
            rollover_months: "2".into(),
            hours_per_week: "20".into(),
            ..Default::default()
        },
    )
    .await?;
    app.save_inhouse_role(
        &admin_actor,
        "paralegal",
        "65",
        "6",
        "document_review, litigation_support, efiling_case_administration, calendar_communication, drafting, record_retrieval",
    )
    .await?;
    app.save_inhouse_role(
        &admin_actor,
        "associate",
        "140",
        "4",
        "legal_research, drafting, contract_management, document_review",
    )
    .await?;
    app.set_delegation_budget(&admin_actor, "25000").await?;

    // Route the 50,000-document review: Meridian already has it (Priya), so accepting keeps her and opens the
    // engagement; otherwise the demo overrides to Meridian, whose bulk agreement covers it.
    let (rows, _) =
        app.list_work_items(&alice_actor, &Default::default(), store::Page::new(1, 50)).await?;
    let Some(review) = rows.iter().find(|r| r.item.title.starts_with("First-level review")) else {
        return Ok(());
    };
    let recommended = app.recommend_route(&alice_actor, review.item.id).await?;
    let meridian = firm.lpo_organization.to_string();
    let decision = if recommended.recommended_id.as_deref() == Some(meridian.as_str()) {
        RouteDecisionForm { decision: "accept".into(), ..Default::default() }
    } else {
        RouteDecisionForm {
            decision: "override".into(),
            channel_id: meridian,
            reason: "Meridian's bulk agreement already covers this review".into(),
            ..Default::default()
        }
    };
    app.decide_route(
        &alice_actor,
        review.item.id,
        &RouteDecisionForm { qc_sample_rate: "0.01".into(), ..decision },
    )
    .await?;
    let manoj_actor = actor_of(manoj);
    let batches = app.split_into_batches(&manoj_actor, review.item.id, "5000").await?;
    for b in batches.iter().take(2) {
        app.assign_batch(&manoj_actor, b.id, &priya.id.to_string()).await?;
    }
    if let Some(first) = batches.first() {
        app.complete_batch(&actor_of(priya), first.id, "", "95").await?;
    }
    Ok(())
}
