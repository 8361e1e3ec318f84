//! Billing rates (timekeeper defaults overridden per client and per matter) and fee arrangements.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::round_money;

/// Errors from rate resolution and arrangement math.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RateError {
    #[error("no rate for timekeeper {timekeeper_id} (no matter, client or default rate)")]
    NoRate { timekeeper_id: String },
    #[error("no unit price for provider unit {0:?}")]
    UnknownUnit(String),
    #[error("{what} must not be negative, got {value}")]
    Negative { what: &'static str, value: Decimal },
    #[error("percentage must be between 0 and 1, got {0}")]
    BadPercent(Decimal),
}

/// Which layer of the rate table a resolved rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateSource {
    Matter,
    Client,
    TimekeeperDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedRate {
    pub hourly_rate: Decimal,
    pub source: RateSource,
}

/// Hourly rates: a default per timekeeper, overridable per client and then per matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateTable {
    defaults: HashMap<String, Decimal>,
    client_overrides: HashMap<(String, String), Decimal>,
    matter_overrides: HashMap<(String, String), Decimal>,
}

impl RateTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_default(&mut self, timekeeper_id: &str, rate: Decimal) -> &mut Self {
        self.defaults.insert(timekeeper_id.to_owned(), rate);
        self
    }

    pub fn set_client_rate(
        &mut self,
        client_id: &str,
        timekeeper_id: &str,
        rate: Decimal,
    ) -> &mut Self {
        self.client_overrides.insert((client_id.to_owned(), timekeeper_id.to_owned()), rate);
        self
    }

    pub fn set_matter_rate(
        &mut self,
        matter_id: &str,
        timekeeper_id: &str,
        rate: Decimal,
    ) -> &mut Self {
        self.matter_overrides.insert((matter_id.to_owned(), timekeeper_id.to_owned()), rate);
        self
    }

    /// The most specific rate wins: matter, then client, then the timekeeper's default.
    pub fn resolve(
        &self,
        timekeeper_id: &str,
        client_id: &str,
        matter_id: &str,
    ) -> Result<ResolvedRate, RateError> {
        let key = |scope: &str| (scope.to_owned(), timekeeper_id.to_owned());
        let found = self
            .matter_overrides
            .get(&key(matter_id))
            .map(|r| (*r, RateSource::Matter))
            .or_else(|| {
                self.client_overrides.get(&key(client_id)).map(|r| (*r, RateSource::Client))
            })
            .or_else(|| {
                self.defaults.get(timekeeper_id).map(|r| (*r, RateSource::TimekeeperDefault))
            });
        found
            .map(|(hourly_rate, source)| ResolvedRate { hourly_rate, source })
            .ok_or_else(|| RateError::NoRate { timekeeper_id: timekeeper_id.to_owned() })
    }
}

/// A markup added to pass-through provider costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Markup {
    /// Fraction of cost, e.g. 0.10 for ten percent.
    Percent(Decimal),
    Fixed(Decimal),
}

impl Markup {
    pub fn amount_on(&self, cost: Decimal) -> Decimal {
        match self {
            Markup::Percent(p) => round_money(cost * p),
            Markup::Fixed(a) => *a,
        }
    }
}

/// How a matter is charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeeArrangement {
    Hourly,
    FlatFee {
        amount: Decimal,
    },
    /// `percent` of the gross recovery (a fraction, 0.33 = 33%); `fee_after_costs` computes it after
    /// costs are repaid, as some engagement letters require.
    Contingency {
        percent: Decimal,
        fee_after_costs: bool,
    },
    /// Client keeps at least `minimum_balance` in trust; invoices are paid from it and it is topped up.
    EvergreenRetainer {
        minimum_balance: Decimal,
    },
    /// Work of an outside provider billed through: per-unit prices, optional prepaid retainer hours,
    /// optional markup.
    PassThrough {
        provider: String,
        unit_prices: BTreeMap<String, Decimal>,
        retainer_hours: Option<Decimal>,
        markup: Option<Markup>,
    },
}

/// Hourly fee for billed hours at a rate, in cents.
pub fn hourly_fee(hours: Decimal, hourly_rate: Decimal) -> Decimal {
    round_money(hours * hourly_rate)
}

/// Split of a contingency recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContingencySplit {
    pub fee: Decimal,
    pub costs_reimbursed: Decimal,
    pub client_net: Decimal,
}

/// Divides a gross recovery into fee, reimbursed costs and the client's net.
pub fn contingency_split(
    gross_recovery: Decimal,
    percent: Decimal,
    costs: Decimal,
    fee_after_costs: bool,
) -> Result<ContingencySplit, RateError> {
    check_percent(percent)?;
    check_non_negative("gross recovery", gross_recovery)?;
    check_non_negative("costs", costs)?;
    let costs_reimbursed = costs.min(gross_recovery);
    let fee_base = if fee_after_costs { gross_recovery - costs_reimbursed } else { gross_recovery };
    let fee = round_money(fee_base * percent).min(gross_recovery - costs_reimbursed);
    Ok(ContingencySplit {
        fee,
        costs_reimbursed,
        client_net: gross_recovery - costs_reimbursed - fee,
    })
}

/// Amount a client must deposit to bring an evergreen retainer back to its minimum.
pub fn evergreen_top_up(trust_balance: Decimal, minimum_balance: Decimal) -> Decimal {
    (minimum_balance - trust_balance).max(Decimal::ZERO)
}

/// The computed charge for a pass-through of provider work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassThroughCharge {
    /// Provider cost of all units.
    pub cost: Decimal,
    /// Hours of the `hours` unit absorbed by the prepaid retainer (not charged).
    pub retainer_hours_used: Decimal,
    pub markup: Decimal,
    pub total: Decimal,
}

/// The unit name whose quantities count against retainer hours.
pub const HOURS_UNIT: &str = "hours";

/// Prices provider work: quantity × unit price per unit, with hours first drawn from
/// `retainer_hours_remaining`, then markup on the remaining cost.
pub fn pass_through_charge(
    unit_prices: &BTreeMap<String, Decimal>,
    quantities: &[(String, Decimal)],
    retainer_hours_remaining: Decimal,
    markup: Option<Markup>,
) -> Result<PassThroughCharge, RateError> {
    let mut retainer_left = retainer_hours_remaining.max(Decimal::ZERO);
    let mut cost = Decimal::ZERO;
    let mut retainer_hours_used = Decimal::ZERO;
    for (unit, quantity) in quantities {
        check_non_negative("quantity", *quantity)?;
        let price = unit_prices.get(unit).ok_or_else(|| RateError::UnknownUnit(unit.clone()))?;
        let mut charged = *quantity;
        if unit == HOURS_UNIT {
            let covered = charged.min(retainer_left);
            retainer_left -= covered;
            retainer_hours_used += covered;
            charged -= covered;
        }
        cost += round_money(charged * price);
    }
    let markup = markup.map_or(Decimal::ZERO, |m| m.amount_on(cost));
    Ok(PassThroughCharge { cost, retainer_hours_used, markup, total: cost + markup })
}

fn check_percent(p: Decimal) -> Result<(), RateError> {
    if p < Decimal::ZERO || p > Decimal::ONE {
        return Err(RateError::BadPercent(p));
    }
    Ok(())
}

fn check_non_negative(what: &'static str, value: Decimal) -> Result<(), RateError> {
    if value < Decimal::ZERO {
        return Err(RateError::Negative { what, value });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn matter_beats_client_beats_default() {
        let mut table = RateTable::new();
        table
            .set_default("TK1", dec!(300))
            .set_client_rate("ACME", "TK1", dec!(275))
            .set_matter_rate("M-7", "TK1", dec!(250));
        let r = |c, m| table.resolve("TK1", c, m).unwrap();
        assert_eq!(
            r("ACME", "M-7"),
            ResolvedRate { hourly_rate: dec!(250), source: RateSource::Matter }
        );
        assert_eq!(r("ACME", "M-1").source, RateSource::Client);
        assert_eq!(r("OTHER", "M-1").hourly_rate, dec!(300));
        assert!(matches!(table.resolve("TK2", "ACME", "M-7"), Err(RateError::NoRate { .. })));
        assert_eq!(hourly_fee(dec!(1.3), dec!(333.33)), dec!(433.33));
    }

    #[test]
    fn contingency_before_and_after_costs() {
        let before = contingency_split(dec!(100000), dec!(0.3333), dec!(5000), false).unwrap();
        assert_eq!(before.fee, dec!(33330.00));
        assert_eq!(before.client_net, dec!(61670.00));
        let after = contingency_split(dec!(100000), dec!(0.25), dec!(5000), true).unwrap();
        assert_eq!(after.fee, dec!(23750.00));
        assert_eq!(after.fee + after.costs_reimbursed + after.client_net, dec!(100000));
        assert!(contingency_split(dec!(1), dec!(1.5), dec!(0), true).is_err());
    }

    #[test]
    fn evergreen_and_pass_through() {
        assert_eq!(evergreen_top_up(dec!(1200), dec!(5000)), dec!(3800));
        assert_eq!(evergreen_top_up(dec!(6000), dec!(5000)), dec!(0));
        let prices =
            BTreeMap::from([("hours".to_owned(), dec!(95)), ("pages".to_owned(), dec!(0.15))]);
        let charge = pass_through_charge(
            &prices,
            &[("hours".into(), dec!(12.5)), ("pages".into(), dec!(1000))],
            dec!(10),
            Some(Markup::Percent(dec!(0.10))),
        )
        .unwrap();
        assert_eq!(charge.retainer_hours_used, dec!(10));
        assert_eq!(charge.cost, dec!(387.50));
        assert_eq!(charge.markup, dec!(38.75));
        assert_eq!(charge.total, dec!(426.25));
        assert!(pass_through_charge(&prices, &[("days".into(), dec!(1))], dec!(0), None).is_err());
    }
}
