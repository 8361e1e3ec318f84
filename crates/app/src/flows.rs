//! Flows that cross capabilities: where one capability's records become another's input.

use crate::{App, Result};
use chrono::NaiveDate;
use domain::{Actor, Id};
use rust_decimal::Decimal;
use store::billing::{EntryFilter, ExpenseRow};

impl App {
    /// Bills the provider work delegation recorded on a matter in `[from, to)` through to the client:
    /// one pass-through charge (UTBMS E123) per work item delivered by an LPO provider, at the
    /// engagement's unit price, with an optional markup (a fraction, 0.10 = 10 %).
    ///
    /// Idempotent per period: a charge carries the work item and the period in its description, and
    /// a charge already recorded for the same item and period is not added again, so running it
    /// twice never bills the client twice.
    pub async fn bill_provider_work(
        &self,
        actor: &Actor,
        matter: Id,
        from: NaiveDate,
        to: NaiveDate,
        markup: Option<Decimal>,
    ) -> Result<Vec<ExpenseRow>> {
        let delivered = self.delivered_units(actor, matter, from, to).await?;
        let existing = self
            .expenses(actor, &EntryFilter { matter_id: Some(matter), ..Default::default() })
            .await?;
        let mut added = Vec::new();
        for d in delivered {
            let Some(provider) = d.provider_name.as_deref() else { continue };
            if d.units <= 0 || d.unit_price <= Decimal::ZERO {
                continue;
            }
            let tag = format!("[work item {} · {from} to {to}]", d.work_item_id);
            if existing.iter().any(|e| e.description.ends_with(&tag)) {
                continue;
            }
            let description =
                format!("{provider}: {} ({} {} delivered) {tag}", d.title, d.units, d.unit);
            let row = self
                .add_pass_through(
                    actor,
                    matter,
                    &description,
                    Decimal::from(d.units),
                    d.unit_price,
                    markup,
                )
                .await?;
            added.push(row);
        }
        Ok(added)
    }
}
