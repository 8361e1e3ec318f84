//! The cost engine: exact decimal cost of a volume over a period under every kind of arrangement, with a breakdown.
//!
//! Volumes are given month by month (`&[Decimal]`, one entry per month) because minimums, tiers, retainers and
//! rollover all reset or carry over at month boundaries. Amounts are rounded to cents per breakdown line, half away
//! from zero; rounding is monotone, so "more volume never costs less" survives it.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::model::Unit;

/// Weeks in an average month (52 / 12), used to turn weekly blocks into monthly ones.
fn weeks_per_month() -> Decimal {
    Decimal::from(52) / Decimal::from(12)
}

/// Round a money amount to cents.
pub fn money(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Always show cents, so 1600 prints as 1600.00.
    rounded.rescale(2);
    rounded
}

/// Why a cost could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("volume must not be negative (got {0})")]
    NegativeVolume(Decimal),
    #[error("a period needs at least one month")]
    NoMonths,
    #[error("invalid volume tiers: {0}")]
    InvalidTiers(String),
    #[error("invalid terms: {0}")]
    InvalidTerms(String),
}

/// One line of a cost breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// 1-based month the line belongs to; `None` for project-level lines.
    pub month: Option<u32>,
    pub label: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

/// Every line of a cost and their total.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CostBreakdown {
    pub lines: Vec<CostLine>,
    pub total: Decimal,
}

impl CostBreakdown {
    fn push(
        &mut self,
        month: Option<u32>,
        label: impl Into<String>,
        quantity: Decimal,
        unit_price: Decimal,
    ) {
        self.push_amount(month, label, quantity, unit_price, quantity * unit_price);
    }

    fn push_amount(
        &mut self,
        month: Option<u32>,
        label: impl Into<String>,
        quantity: Decimal,
        unit_price: Decimal,
        amount: Decimal,
    ) {
        let amount = money(amount);
        self.total += amount;
        self.lines.push(CostLine { month, label: label.into(), quantity, unit_price, amount });
    }

    /// The breakdown as plain text, one line per entry, for logs and snapshots.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let month = line.month.map(|m| format!("m{m:<3}")).unwrap_or_else(|| "    ".to_owned());
            out.push_str(&format!(
                "{month} {:<40} {:>12} x {:>10} = {:>14}\n",
                line.label, line.quantity, line.unit_price, line.amount
            ));
        }
        out.push_str(&format!("{:<73} {:>14}\n", "total", money(self.total)));
        out
    }
}

/// How a project agreement is priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProjectPricing {
    /// One price for the agreed scope; volume beyond the scope is billed as a change order per unit.
    FixedPrice { price: Decimal, scope_volume: Decimal, change_order_unit_price: Decimal },
    /// Per unit, never more than the cap for the whole project.
    PerUnitCapped { unit_price: Decimal, cap: Decimal },
}

/// A project-based agreement: one job, priced for its whole volume regardless of months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectAgreement {
    pub unit: Unit,
    pub pricing: ProjectPricing,
}

/// One band of a volume price schedule, up to and including `up_to` units in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeTier {
    pub up_to: Decimal,
    pub unit_price: Decimal,
}

/// A long-term bulk agreement, billed monthly.
///
/// Tiers are **graduated** (a.k.a. incremental): each unit is priced by the band its ordinal falls in, so the
/// 10,001st unit gets the second band's price while the first 10,000 keep the first band's. This makes the monthly
/// charge continuous at every band boundary (no "buy one more and pay less" cliff that all-units tiers have, where
/// every unit gets the price of the band the total lands in). Units beyond the last band's `up_to` (the contracted
/// monthly maximum) are overage at `overage_unit_price`. If the month's charge is below the minimum monthly
/// commitment, the shortfall is billed as a separate line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkAgreement {
    pub unit: Unit,
    pub tiers: Vec<VolumeTier>,
    pub minimum_monthly_commitment: Decimal,
    pub overage_unit_price: Decimal,
}

impl BulkAgreement {
    fn validate(&self) -> Result<(), CostError> {
        if self.tiers.is_empty() {
            return Err(CostError::InvalidTiers("at least one tier is needed".into()));
        }
        let mut previous = Decimal::ZERO;
        for tier in &self.tiers {
            if tier.up_to <= previous {
                return Err(CostError::InvalidTiers(format!(
                    "tier bounds must increase strictly from 0 (got {} after {previous})",
                    tier.up_to
                )));
            }
            if tier.unit_price.is_sign_negative() {
                return Err(CostError::InvalidTiers("prices must not be negative".into()));
            }
            previous = tier.up_to;
        }
        if self.overage_unit_price.is_sign_negative()
            || self.minimum_monthly_commitment.is_sign_negative()
        {
            return Err(CostError::InvalidTerms("overage and minimum must not be negative".into()));
        }
        Ok(())
    }

    /// The charge for one month's volume before the minimum (graduated tiers plus overage), unrounded.
    pub fn usage_charge(&self, volume: Decimal) -> Decimal {
        self.usage_bands(volume).iter().map(|(_, qty, price)| qty * price).sum()
    }

    /// (label, quantity, unit price) for every band the volume reaches.
    fn usage_bands(&self, volume: Decimal) -> Vec<(String, Decimal, Decimal)> {
        let mut bands = Vec::new();
        let mut lower = Decimal::ZERO;
        for tier in &self.tiers {
            let quantity = (volume.min(tier.up_to) - lower).max(Decimal::ZERO);
            if quantity > Decimal::ZERO {
                bands.push((format!("tier {lower}-{}", tier.up_to), quantity, tier.unit_price));
            }
            lower = tier.up_to;
        }
        let overage = (volume - lower).max(Decimal::ZERO);
        if overage > Decimal::ZERO {
            bands.push((format!("overage above {lower}"), overage, self.overage_unit_price));
        }
        bands
    }
}

/// What happens to a retainer's unused included hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RolloverPolicy {
    /// Unused hours are lost at month end.
    None,
    /// Unused hours carry into later months, at most `max_banked_hours` in the bank at once, each month's leftover
    /// usable for `expires_after_months` following months. Banked hours are used before the month's own allowance
    /// (oldest first) because they expire sooner.
    Capped { max_banked_hours: Decimal, expires_after_months: u32 },
}

/// A virtual assistant's terms of engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VaTerms {
    /// Every hour at one rate.
    Hourly { rate: Decimal },
    /// N hours a week reserved and paid whether used or not (billed monthly as 52/12 weeks); extra hours at
    /// `additional_hourly_rate`.
    PartTimeBlock { hours_per_week: Decimal, rate: Decimal, additional_hourly_rate: Decimal },
    /// A monthly fee covering `included_hours`; hours beyond are billed at `overage_rate`.
    Retainer {
        monthly_fee: Decimal,
        included_hours: Decimal,
        overage_rate: Decimal,
        rollover: RolloverPolicy,
    },
}

impl VaTerms {
    /// An hourly-equivalent rate, for quick comparisons in routing.
    pub fn effective_hourly_rate(&self) -> Decimal {
        match self {
            VaTerms::Hourly { rate } => *rate,
            VaTerms::PartTimeBlock { rate, .. } => *rate,
            VaTerms::Retainer { monthly_fee, included_hours, overage_rate, .. } => {
                if included_hours.is_zero() { *overage_rate } else { monthly_fee / included_hours }
            }
        }
    }
}

/// Fully loaded cost of in-house staff, per hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InHouseCost {
    pub role: String,
    pub loaded_hourly_cost: Decimal,
}

/// Any way of paying for work; volumes are in the arrangement's own unit (hours for assistants and staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "arrangement", rename_all = "snake_case")]
pub enum Arrangement {
    Project(ProjectAgreement),
    Bulk(BulkAgreement),
    VirtualAssistant(VaTerms),
    InHouse(InHouseCost),
}

impl Arrangement {
    /// The cost of the same volume every month for `months` months.
    pub fn cost_for_period(
        &self,
        volume_per_month: Decimal,
        months: u32,
    ) -> Result<CostBreakdown, CostError> {
        let volumes = vec![volume_per_month; months as usize];
        self.cost(&volumes)
    }

    /// The exact cost of the given month-by-month volumes.
    pub fn cost(&self, monthly_volumes: &[Decimal]) -> Result<CostBreakdown, CostError> {
        if monthly_volumes.is_empty() {
            return Err(CostError::NoMonths);
        }
        if let Some(negative) =
            monthly_volumes.iter().find(|v| v.is_sign_negative() && !v.is_zero())
        {
            return Err(CostError::NegativeVolume(*negative));
        }
        match self {
            Arrangement::Project(agreement) => {
                cost_project(agreement, monthly_volumes.iter().sum())
            }
            Arrangement::Bulk(agreement) => cost_bulk(agreement, monthly_volumes),
            Arrangement::VirtualAssistant(terms) => cost_virtual_assistant(terms, monthly_volumes),
            Arrangement::InHouse(staff) => Ok(cost_in_house(staff, monthly_volumes)),
        }
    }
}

fn cost_project(agreement: &ProjectAgreement, volume: Decimal) -> Result<CostBreakdown, CostError> {
    let unit = agreement.unit;
    let mut breakdown = CostBreakdown::default();
    match &agreement.pricing {
        ProjectPricing::FixedPrice { price, scope_volume, change_order_unit_price } => {
            breakdown.push(
                None,
                format!("fixed price for up to {scope_volume} {unit}"),
                Decimal::ONE,
                *price,
            );
            let beyond = (volume - scope_volume).max(Decimal::ZERO);
            if beyond > Decimal::ZERO {
                breakdown.push(
                    None,
                    format!("change order: {unit} beyond scope"),
                    beyond,
                    *change_order_unit_price,
                );
            }
        }
        ProjectPricing::PerUnitCapped { unit_price, cap } => {
            let uncapped = volume * unit_price;
            if uncapped > *cap {
                breakdown.push_amount(
                    None,
                    format!("{unit} at per-unit price"),
                    volume,
                    *unit_price,
                    uncapped,
                );
                breakdown.push_amount(
                    None,
                    "cap reduction",
                    Decimal::ONE,
                    cap - uncapped,
                    cap - uncapped,
                );
            } else {
                breakdown.push(None, format!("{unit} at per-unit price"), volume, *unit_price);
            }
        }
    }
    Ok(breakdown)
}

fn cost_bulk(
    agreement: &BulkAgreement,
    monthly_volumes: &[Decimal],
) -> Result<CostBreakdown, CostError> {
    agreement.validate()?;
    let mut breakdown = CostBreakdown::default();
    for (index, volume) in monthly_volumes.iter().enumerate() {
        let month = Some(index as u32 + 1);
        let mut charged = Decimal::ZERO;
        for (label, quantity, price) in agreement.usage_bands(*volume) {
            let before = breakdown.total;
            breakdown.push(month, format!("{} {label}", agreement.unit), quantity, price);
            charged += breakdown.total - before;
        }
        // The shortfall is computed on the rounded charge, so the month's total is exactly the minimum.
        let shortfall = agreement.minimum_monthly_commitment - charged;
        if shortfall > Decimal::ZERO {
            breakdown.push(month, "minimum monthly commitment shortfall", Decimal::ONE, shortfall);
        }
    }
    Ok(breakdown)
}

fn cost_virtual_assistant(
    terms: &VaTerms,
    monthly_hours: &[Decimal],
) -> Result<CostBreakdown, CostError> {
    let mut breakdown = CostBreakdown::default();
    match terms {
        VaTerms::Hourly { rate } => {
            for (index, hours) in monthly_hours.iter().enumerate() {
                breakdown.push(Some(index as u32 + 1), "assistant hours", *hours, *rate);
            }
        }
        VaTerms::PartTimeBlock { hours_per_week, rate, additional_hourly_rate } => {
            let block_hours = hours_per_week * weeks_per_month();
            for (index, hours) in monthly_hours.iter().enumerate() {
                let month = Some(index as u32 + 1);
                breakdown.push_amount(
                    month,
                    format!("part-time block {hours_per_week} h/week"),
                    block_hours.round_dp(2),
                    *rate,
                    block_hours * rate,
                );
                let extra = (hours - block_hours).max(Decimal::ZERO);
                if extra > Decimal::ZERO {
                    let amount = extra * additional_hourly_rate;
                    breakdown.push_amount(
                        month,
                        "hours beyond the block",
                        extra.round_dp(2),
                        *additional_hourly_rate,
                        amount,
                    );
                }
            }
        }
        VaTerms::Retainer { monthly_fee, included_hours, overage_rate, rollover } => {
            cost_retainer(
                &mut breakdown,
                *monthly_fee,
                *included_hours,
                *overage_rate,
                rollover,
                monthly_hours,
            )?;
        }
    }
    Ok(breakdown)
}

/// Banked hours from one month: how many are left and the last month (0-based) they can be used in.
struct BankedHours {
    hours: Decimal,
    last_usable_month: usize,
}

fn cost_retainer(
    breakdown: &mut CostBreakdown,
    monthly_fee: Decimal,
    included_hours: Decimal,
    overage_rate: Decimal,
    rollover: &RolloverPolicy,
    monthly_hours: &[Decimal],
) -> Result<(), CostError> {
    if included_hours.is_sign_negative()
        || monthly_fee.is_sign_negative()
        || overage_rate.is_sign_negative()
    {
        return Err(CostError::InvalidTerms("retainer amounts must not be negative".into()));
    }
    let mut bank: Vec<BankedHours> = Vec::new();
    for (index, hours) in monthly_hours.iter().enumerate() {
        let month = Some(index as u32 + 1);
        bank.retain(|entry| entry.last_usable_month >= index && entry.hours > Decimal::ZERO);
        breakdown.push(
            month,
            format!("retainer ({included_hours} h included)"),
            Decimal::ONE,
            monthly_fee,
        );

        let mut needed = *hours;
        let mut from_bank = Decimal::ZERO;
        // Oldest first: the bank is kept in month order.
        for entry in bank.iter_mut() {
            let take = entry.hours.min(needed);
            entry.hours -= take;
            needed -= take;
            from_bank += take;
        }
        if from_bank > Decimal::ZERO {
            breakdown.push(month, "rolled-over hours used", from_bank, Decimal::ZERO);
        }
        let from_allowance = included_hours.min(needed);
        needed -= from_allowance;
        if needed > Decimal::ZERO {
            breakdown.push(month, "overage hours", needed, overage_rate);
        }
        let unused = included_hours - from_allowance;
        if let RolloverPolicy::Capped { max_banked_hours, expires_after_months } = rollover
            && *expires_after_months > 0
            && unused > Decimal::ZERO
        {
            let banked: Decimal = bank.iter().map(|entry| entry.hours).sum();
            let room = (*max_banked_hours - banked).max(Decimal::ZERO);
            let added = unused.min(room);
            if added > Decimal::ZERO {
                bank.push(BankedHours {
                    hours: added,
                    last_usable_month: index + *expires_after_months as usize,
                });
            }
        }
    }
    Ok(())
}

fn cost_in_house(staff: &InHouseCost, monthly_hours: &[Decimal]) -> CostBreakdown {
    let mut breakdown = CostBreakdown::default();
    for (index, hours) in monthly_hours.iter().enumerate() {
        breakdown.push(
            Some(index as u32 + 1),
            format!("{} hours", staff.role),
            *hours,
            staff.loaded_hourly_cost,
        );
    }
    breakdown
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn bulk() -> BulkAgreement {
        BulkAgreement {
            unit: Unit::Documents,
            tiers: vec![
                VolumeTier { up_to: dec!(10000), unit_price: dec!(0.60) },
                VolumeTier { up_to: dec!(50000), unit_price: dec!(0.45) },
                VolumeTier { up_to: dec!(200000), unit_price: dec!(0.35) },
            ],
            minimum_monthly_commitment: dec!(2500),
            overage_unit_price: dec!(0.55),
        }
    }

    fn retainer() -> VaTerms {
        VaTerms::Retainer {
            monthly_fee: dec!(1600),
            included_hours: dec!(40),
            overage_rate: dec!(45),
            rollover: RolloverPolicy::Capped {
                max_banked_hours: dec!(20),
                expires_after_months: 2,
            },
        }
    }

    fn arrangements() -> Vec<Arrangement> {
        vec![
            Arrangement::Bulk(bulk()),
            Arrangement::Project(ProjectAgreement {
                unit: Unit::Documents,
                pricing: ProjectPricing::FixedPrice {
                    price: dec!(30000),
                    scope_volume: dec!(50000),
                    change_order_unit_price: dec!(0.70),
                },
            }),
            Arrangement::Project(ProjectAgreement {
                unit: Unit::Pages,
                pricing: ProjectPricing::PerUnitCapped { unit_price: dec!(0.12), cap: dec!(5000) },
            }),
            Arrangement::VirtualAssistant(VaTerms::Hourly { rate: dec!(38.50) }),
            Arrangement::VirtualAssistant(VaTerms::PartTimeBlock {
                hours_per_week: dec!(20),
                rate: dec!(35),
                additional_hourly_rate: dec!(42),
            }),
            Arrangement::VirtualAssistant(retainer()),
            Arrangement::VirtualAssistant(VaTerms::Retainer {
                monthly_fee: dec!(900),
                included_hours: dec!(20),
                overage_rate: dec!(50),
                rollover: RolloverPolicy::None,
            }),
            Arrangement::InHouse(InHouseCost {
                role: "paralegal".into(),
                loaded_hourly_cost: dec!(72.35),
            }),
        ]
    }

    #[test]
    fn bulk_breakdown_shows_tiers_and_overage() {
        let cost = Arrangement::Bulk(bulk()).cost(&[dec!(250000), dec!(1000)]).expect("valid");
        expect![[r#"
            m1   documents tier 0-10000                          10000 x       0.60 =        6000.00
            m1   documents tier 10000-50000                      40000 x       0.45 =       18000.00
            m1   documents tier 50000-200000                    150000 x       0.35 =       52500.00
            m1   documents overage above 200000                  50000 x       0.55 =       27500.00
            m2   documents tier 0-10000                           1000 x       0.60 =         600.00
            m2   minimum monthly commitment shortfall                1 x    1900.00 =        1900.00
            total                                                                          106500.00
        "#]]
        .assert_eq(&cost.render());
    }

    #[test]
    fn retainer_rolls_over_capped_and_expiring_hours() {
        // m1 uses 10 of 40 → 30 unused, bank capped at 20. m2 uses 55: 20 banked + 35 included, 5 unused banked.
        // m3 uses 0: 40 unused but bank holds 5 → only 15 more fit. m4 uses 85: 5 (from m2, usable through m4)
        // + 15 (from m3) + 40 included + 25 overage.
        let cost = Arrangement::VirtualAssistant(retainer())
            .cost(&[dec!(10), dec!(55), dec!(0), dec!(85)])
            .expect("ok");
        expect![[r#"
            m1   retainer (40 h included)                            1 x       1600 =        1600.00
            m2   retainer (40 h included)                            1 x       1600 =        1600.00
            m2   rolled-over hours used                             20 x          0 =           0.00
            m3   retainer (40 h included)                            1 x       1600 =        1600.00
            m4   retainer (40 h included)                            1 x       1600 =        1600.00
            m4   rolled-over hours used                             20 x          0 =           0.00
            m4   overage hours                                      25 x         45 =        1125.00
            total                                                                            7525.00
        "#]]
        .assert_eq(&cost.render());
    }

    #[test]
    fn banked_hours_expire() {
        // 30 unused in m1 (bank 20, usable through m3); m2-m3 idle (bank full, nothing more banked);
        // m4 can no longer use m1's hours, so 20 of its 60 are overage.
        let cost = Arrangement::VirtualAssistant(retainer())
            .cost(&[dec!(10), dec!(0), dec!(0), dec!(60)])
            .expect("ok");
        assert_eq!(cost.total, dec!(1600) * dec!(4) + dec!(20) * dec!(45));
    }

    #[test]
    fn part_time_block_bills_whole_block_and_extras() {
        let terms = VaTerms::PartTimeBlock {
            hours_per_week: dec!(20),
            rate: dec!(35),
            additional_hourly_rate: dec!(42),
        };
        let cost = Arrangement::VirtualAssistant(terms).cost(&[dec!(10), dec!(100)]).expect("ok");
        // 20 × 52 / 12 = 86.67 h a month; 20 × 35 × 52 / 12 = 3033.33.
        assert_eq!(cost.lines[0].amount, dec!(3033.33));
        assert_eq!(cost.lines[2].quantity, dec!(13.33));
        assert_eq!(cost.total, dec!(3033.33) * dec!(2) + dec!(560.00));
    }

    #[test]
    fn errors_are_reported() {
        let bad = BulkAgreement { tiers: vec![], ..bulk() };
        assert!(matches!(Arrangement::Bulk(bad).cost(&[dec!(1)]), Err(CostError::InvalidTiers(_))));
        assert_eq!(Arrangement::Bulk(bulk()).cost(&[]), Err(CostError::NoMonths));
        assert_eq!(
            Arrangement::Bulk(bulk()).cost(&[dec!(-1)]),
            Err(CostError::NegativeVolume(dec!(-1)))
        );
    }

    fn volume() -> impl Strategy<Value = Decimal> {
        (0u64..400_000, 0u32..100)
            .prop_map(|(whole, cents)| Decimal::from(whole) + Decimal::new(cents.into(), 2))
    }

    fn hours() -> impl Strategy<Value = Decimal> {
        (0u64..300, 0u32..4).prop_map(|(whole, quarter)| {
            Decimal::from(whole) + Decimal::new((quarter * 25).into(), 2)
        })
    }

    proptest! {
        #[test]
        fn more_volume_never_costs_less(
            months in prop::collection::vec(hours().prop_flat_map(|h| (Just(h), volume())), 1..6),
            month_index in 0usize..6,
            extra_hours in hours(),
            extra_volume in volume(),
        ) {
            for arrangement in arrangements() {
                let per_hour = matches!(arrangement, Arrangement::VirtualAssistant(_) | Arrangement::InHouse(_));
                let base: Vec<Decimal> = months.iter().map(|(h, v)| if per_hour { *h } else { *v }).collect();
                let mut more = base.clone();
                let index = month_index % more.len();
                more[index] += if per_hour { extra_hours } else { extra_volume };
                let before = arrangement.cost(&base).expect("valid").total;
                let after = arrangement.cost(&more).expect("valid").total;
                prop_assert!(after >= before, "{arrangement:?}: {base:?} → {before}, {more:?} → {after}");
            }
        }

        #[test]
        fn graduated_tiers_are_continuous_at_every_boundary(epsilon in 1u32..1000) {
            let agreement = BulkAgreement { minimum_monthly_commitment: Decimal::ZERO, ..bulk() };
            let step = Decimal::new(epsilon.into(), 4);
            for (index, tier) in agreement.tiers.iter().enumerate() {
                let at = agreement.usage_charge(tier.up_to);
                let below = agreement.usage_charge(tier.up_to - step);
                let above = agreement.usage_charge(tier.up_to + step);
                let next_price = agreement.tiers.get(index + 1).map_or(agreement.overage_unit_price, |t| t.unit_price);
                // Continuity: the change across the boundary is only the marginal units times their band price,
                // never a re-pricing of the units already bought.
                prop_assert_eq!(at - below, step * tier.unit_price);
                prop_assert_eq!(above - at, step * next_price);
            }
        }

        #[test]
        fn caps_are_respected(volume in volume(), cap in 1u64..100_000) {
            let cap = Decimal::from(cap);
            let arrangement = Arrangement::Project(ProjectAgreement {
                unit: Unit::Pages,
                pricing: ProjectPricing::PerUnitCapped { unit_price: dec!(0.37), cap },
            });
            let total = arrangement.cost(&[volume]).expect("valid").total;
            prop_assert!(total <= cap);
            prop_assert_eq!(total, money(volume * dec!(0.37)).min(cap));
        }

        #[test]
        fn minimums_are_respected(volumes in prop::collection::vec(volume(), 1..6)) {
            let agreement = bulk();
            let cost = Arrangement::Bulk(agreement.clone()).cost(&volumes).expect("valid");
            for (index, volume) in volumes.iter().enumerate() {
                let month_total: Decimal =
                    cost.lines.iter().filter(|l| l.month == Some(index as u32 + 1)).map(|l| l.amount).sum();
                prop_assert!(month_total >= agreement.minimum_monthly_commitment);
                let usage: Decimal = agreement.usage_bands(*volume).iter().map(|(_, q, p)| money(q * p)).sum();
                prop_assert_eq!(month_total, usage.max(agreement.minimum_monthly_commitment));
            }
        }
    }
}
