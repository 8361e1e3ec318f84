//! The advisor: from a workload profile (TOML), recommend per service line in-house, a virtual assistant, onshore or
//! offshore LPO, or a blend, with every option's cost side by side, break-even volumes, ×2/×5 projections and reasons.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::cost::{Arrangement, BulkAgreement, CostError, InHouseCost, VaTerms, VolumeTier, money};
use crate::model::{Level, ServiceLine, Unit};

/// The built-in market reference rates, with their assumptions documented inline.
pub const MARKET_RATES_TOML: &str = include_str!("market_rates.toml");

/// Reference rates for one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRates {
    pub unit: Unit,
    pub hours_per_unit: Decimal,
    pub in_house_hourly: Decimal,
    pub va_hourly: Decimal,
    pub lpo_onshore_per_unit: Decimal,
    pub lpo_offshore_per_unit: Decimal,
    pub lpo_monthly_minimum: Decimal,
}

/// A profile's partial override of one service line's rates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRatesOverride {
    pub hours_per_unit: Option<Decimal>,
    pub in_house_hourly: Option<Decimal>,
    pub va_hourly: Option<Decimal>,
    pub lpo_onshore_per_unit: Option<Decimal>,
    pub lpo_offshore_per_unit: Option<Decimal>,
    pub lpo_monthly_minimum: Option<Decimal>,
}

/// Reference rates for every service line plus the shared assumptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketRates {
    pub currency: String,
    pub va_monthly_hours_each: Decimal,
    pub coordination_share: Decimal,
    pub service_lines: BTreeMap<ServiceLine, LineRates>,
}

impl MarketRates {
    /// The built-in rates.
    pub fn builtin() -> Result<MarketRates, AdvisorError> {
        toml::from_str(MARKET_RATES_TOML).map_err(|e| AdvisorError::Rates(e.to_string()))
    }
}

/// One service line of a workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadLine {
    pub service_line: ServiceLine,
    pub monthly_volume: Decimal,
    /// Optional, checked against the reference unit so a profile cannot silently mix pages and documents.
    pub unit: Option<Unit>,
    pub collaboration: Level,
}

/// A firm's workload, parsed from TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadProfile {
    pub name: String,
    #[serde(default)]
    pub onshore_only: bool,
    pub monthly_budget: Option<Decimal>,
    /// How many virtual assistants the firm is willing to manage per service line (each about 160 h a month).
    #[serde(default = "default_max_virtual_assistants")]
    pub max_virtual_assistants: u32,
    pub lines: Vec<WorkloadLine>,
    #[serde(default)]
    pub rates: BTreeMap<ServiceLine, LineRatesOverride>,
}

fn default_max_virtual_assistants() -> u32 {
    2
}

impl WorkloadProfile {
    pub fn from_toml(text: &str) -> Result<WorkloadProfile, AdvisorError> {
        toml::from_str(text).map_err(|e| AdvisorError::Profile(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvisorError {
    #[error("invalid workload profile: {0}")]
    Profile(String),
    #[error("invalid market rates: {0}")]
    Rates(String),
    #[error("no reference rates for {0}")]
    NoRates(ServiceLine),
    #[error("{line} is measured in {expected}, but the profile says {given}")]
    UnitMismatch { line: ServiceLine, expected: Unit, given: Unit },
    #[error("{0} appears more than once in the profile")]
    DuplicateLine(ServiceLine),
    #[error(transparent)]
    Cost(#[from] CostError),
}

/// A way of delivering a service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryModel {
    InHouse,
    VirtualAssistant,
    LpoOnshore,
    LpoOffshore,
    /// LPO (onshore) for the volume with a virtual assistant coordinating.
    BlendOnshore,
    /// LPO (offshore) for the volume with a virtual assistant coordinating.
    BlendOffshore,
}

impl DeliveryModel {
    pub const ALL: [DeliveryModel; 6] = [
        DeliveryModel::InHouse,
        DeliveryModel::VirtualAssistant,
        DeliveryModel::LpoOnshore,
        DeliveryModel::LpoOffshore,
        DeliveryModel::BlendOnshore,
        DeliveryModel::BlendOffshore,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DeliveryModel::InHouse => "in-house",
            DeliveryModel::VirtualAssistant => "virtual assistant",
            DeliveryModel::LpoOnshore => "LPO onshore",
            DeliveryModel::LpoOffshore => "LPO offshore",
            DeliveryModel::BlendOnshore => "blend (LPO onshore + VA)",
            DeliveryModel::BlendOffshore => "blend (LPO offshore + VA)",
        }
    }

    pub fn is_offshore(self) -> bool {
        matches!(self, DeliveryModel::LpoOffshore | DeliveryModel::BlendOffshore)
    }

    pub fn uses_lpo(self) -> bool {
        !matches!(self, DeliveryModel::InHouse | DeliveryModel::VirtualAssistant)
    }
}

/// One option's monthly cost and whether it may be chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionCost {
    pub model: DeliveryModel,
    pub monthly_cost: Decimal,
    /// `None` when eligible; otherwise why not.
    pub ineligible_because: Option<String>,
}

/// Recommendation at a scaled caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub multiplier: u32,
    pub monthly_volume: Decimal,
    pub recommended: DeliveryModel,
    pub monthly_cost: Decimal,
}

/// Advice for one service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAdvice {
    pub service_line: ServiceLine,
    pub unit: Unit,
    pub monthly_volume: Decimal,
    pub monthly_hours: Decimal,
    pub collaboration: Level,
    pub options: Vec<OptionCost>,
    pub recommended: DeliveryModel,
    pub recommended_cost: Decimal,
    pub in_house_cost: Decimal,
    pub saving_vs_in_house: Decimal,
    /// Monthly volume from which the cheapest allowed LPO costs less than a virtual assistant; `None` if never.
    pub break_even_lpo_vs_va: Option<Decimal>,
    pub projections: Vec<Projection>,
    pub reasons: Vec<String>,
}

/// The advisor's output for a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    pub profile_name: String,
    pub currency: String,
    pub onshore_only: bool,
    pub lines: Vec<LineAdvice>,
    pub total_recommended: Decimal,
    pub total_in_house: Decimal,
    pub total_saving: Decimal,
    pub monthly_budget: Option<Decimal>,
    pub reasons: Vec<String>,
}

/// Advise on a profile with the built-in market rates (overridden by the profile's own).
pub fn advise(profile: &WorkloadProfile) -> Result<Advice, AdvisorError> {
    advise_with_rates(profile, &MarketRates::builtin()?)
}

/// Parse a TOML profile and advise on it.
pub fn advise_toml(profile_toml: &str) -> Result<Advice, AdvisorError> {
    advise(&WorkloadProfile::from_toml(profile_toml)?)
}

/// Rates for a line after applying the profile's overrides.
fn effective_rates(
    profile: &WorkloadProfile,
    market: &MarketRates,
    line: ServiceLine,
) -> Result<LineRates, AdvisorError> {
    let mut rates = market.service_lines.get(&line).cloned().ok_or(AdvisorError::NoRates(line))?;
    if let Some(o) = profile.rates.get(&line) {
        let apply = |field: &mut Decimal, value: Option<Decimal>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        apply(&mut rates.hours_per_unit, o.hours_per_unit);
        apply(&mut rates.in_house_hourly, o.in_house_hourly);
        apply(&mut rates.va_hourly, o.va_hourly);
        apply(&mut rates.lpo_onshore_per_unit, o.lpo_onshore_per_unit);
        apply(&mut rates.lpo_offshore_per_unit, o.lpo_offshore_per_unit);
        apply(&mut rates.lpo_monthly_minimum, o.lpo_monthly_minimum);
    }
    Ok(rates)
}

/// Everything needed to cost and choose the options for one line at some volume.
struct LineContext<'a> {
    rates: &'a LineRates,
    collaboration: Level,
    onshore_only: bool,
    va_capacity_hours: Decimal,
    coordination_share: Decimal,
}

impl LineContext<'_> {
    fn lpo(&self, per_unit: Decimal) -> Arrangement {
        // A standing LPO engagement as a bulk agreement: one graduated band at the list price with the minimum
        // monthly commitment; overage at the same price, so the band bound is irrelevant.
        Arrangement::Bulk(BulkAgreement {
            unit: self.rates.unit,
            tiers: vec![VolumeTier { up_to: dec!(1000000000), unit_price: per_unit }],
            minimum_monthly_commitment: self.rates.lpo_monthly_minimum,
            overage_unit_price: per_unit,
        })
    }

    fn monthly_cost(
        &self,
        arrangement: &Arrangement,
        volume: Decimal,
    ) -> Result<Decimal, AdvisorError> {
        Ok(arrangement.cost(&[volume])?.total)
    }

    fn va_cost(&self, hours: Decimal) -> Result<Decimal, AdvisorError> {
        self.monthly_cost(
            &Arrangement::VirtualAssistant(VaTerms::Hourly { rate: self.rates.va_hourly }),
            hours,
        )
    }

    /// Every option's cost and eligibility at `volume`.
    fn options(&self, volume: Decimal) -> Result<Vec<OptionCost>, AdvisorError> {
        let hours = volume * self.rates.hours_per_unit;
        let in_house = Arrangement::InHouse(InHouseCost {
            role: "in-house".into(),
            loaded_hourly_cost: self.rates.in_house_hourly,
        });
        let coordination = self.va_cost(hours * self.coordination_share)?;
        let onshore = self.monthly_cost(&self.lpo(self.rates.lpo_onshore_per_unit), volume)?;
        let offshore = self.monthly_cost(&self.lpo(self.rates.lpo_offshore_per_unit), volume)?;
        let mut options = Vec::new();
        for model in DeliveryModel::ALL {
            let monthly_cost = match model {
                DeliveryModel::InHouse => self.monthly_cost(&in_house, hours)?,
                DeliveryModel::VirtualAssistant => self.va_cost(hours)?,
                DeliveryModel::LpoOnshore => onshore,
                DeliveryModel::LpoOffshore => offshore,
                DeliveryModel::BlendOnshore => onshore + coordination,
                DeliveryModel::BlendOffshore => offshore + coordination,
            };
            let ineligible_because = self.ineligible_because(model, hours);
            options.push(OptionCost { model, monthly_cost, ineligible_because });
        }
        Ok(options)
    }

    fn ineligible_because(&self, model: DeliveryModel, hours: Decimal) -> Option<String> {
        if self.onshore_only && model.is_offshore() {
            return Some("the client requires onshore delivery".into());
        }
        match (model, self.collaboration) {
            (DeliveryModel::VirtualAssistant, _) if hours > self.va_capacity_hours => {
                Some(format!(
                    "{} h a month is more than the {} h the firm's virtual assistants can carry",
                    hours.round_dp(0),
                    self.va_capacity_hours.round_dp(0)
                ))
            }
            (DeliveryModel::BlendOnshore | DeliveryModel::BlendOffshore, _)
                if hours * self.coordination_share > self.va_capacity_hours =>
            {
                Some("too much coordination for the firm's virtual assistants".into())
            }
            (m, Level::High) if m.uses_lpo() => {
                Some("needs close personal collaboration with the attorney".into())
            }
            (DeliveryModel::LpoOnshore | DeliveryModel::LpoOffshore, Level::Medium) => Some(
                "medium collaboration needs someone liaising with the attorney (see blend)".into(),
            ),
            (DeliveryModel::BlendOnshore | DeliveryModel::BlendOffshore, Level::Low) => {
                Some("low collaboration: the LPO alone is enough".into())
            }
            _ => None,
        }
    }

    /// The cheapest eligible option; ties go to the earlier (simpler) model.
    fn choose(&self, options: &[OptionCost]) -> OptionCost {
        options
            .iter()
            .filter(|o| o.ineligible_because.is_none())
            .min_by(|a, b| a.monthly_cost.cmp(&b.monthly_cost))
            .or_else(|| options.iter().find(|o| o.model == DeliveryModel::InHouse))
            .cloned()
            .expect("in-house is always among the options")
    }

    /// The first whole monthly volume at which the cheapest allowed LPO costs strictly less than a virtual
    /// assistant. LPO = max(minimum, price × v) and VA = rate × hours_per_unit × v, so LPO wins once
    /// VA > minimum, i.e. v > minimum / (rate × hours_per_unit), provided the assistant's cost per unit is above the
    /// LPO's price (otherwise never).
    fn break_even(&self) -> Option<Decimal> {
        let price = if self.onshore_only {
            self.rates.lpo_onshore_per_unit
        } else {
            self.rates.lpo_offshore_per_unit
        };
        let va_per_unit = self.rates.va_hourly * self.rates.hours_per_unit;
        if va_per_unit <= price || va_per_unit.is_zero() {
            return None;
        }
        Some((self.rates.lpo_monthly_minimum / va_per_unit).floor() + Decimal::ONE)
    }
}

/// Advise with explicit market rates.
pub fn advise_with_rates(
    profile: &WorkloadProfile,
    market: &MarketRates,
) -> Result<Advice, AdvisorError> {
    let mut lines = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in &profile.lines {
        if !seen.insert(line.service_line) {
            return Err(AdvisorError::DuplicateLine(line.service_line));
        }
        if line.monthly_volume.is_sign_negative() && !line.monthly_volume.is_zero() {
            return Err(CostError::NegativeVolume(line.monthly_volume).into());
        }
        let rates = effective_rates(profile, market, line.service_line)?;
        if let Some(given) = line.unit
            && given != rates.unit
        {
            return Err(AdvisorError::UnitMismatch {
                line: line.service_line,
                expected: rates.unit,
                given,
            });
        }
        let context = LineContext {
            rates: &rates,
            collaboration: line.collaboration,
            onshore_only: profile.onshore_only,
            va_capacity_hours: market.va_monthly_hours_each
                * Decimal::from(profile.max_virtual_assistants),
            coordination_share: market.coordination_share,
        };
        lines.push(advise_line(line, &context, &market.currency)?);
    }
    let total_recommended: Decimal = lines.iter().map(|l| l.recommended_cost).sum();
    let total_in_house: Decimal = lines.iter().map(|l| l.in_house_cost).sum();
    let mut reasons = Vec::new();
    if profile.onshore_only {
        reasons.push(
            "Onshore only: no offshore LPO or offshore blend is recommended for any line."
                .to_owned(),
        );
    }
    if let Some(budget) = profile.monthly_budget {
        if total_recommended <= budget {
            reasons.push(format!(
                "The recommended mix costs {} {} a month, within the {} {} budget.",
                market.currency, total_recommended, market.currency, budget
            ));
        } else {
            reasons.push(format!(
                "The recommended mix costs {} {} a month, over the {} {} budget by {}: trim volume or accept \
                 cheaper options.",
                market.currency,
                total_recommended,
                market.currency,
                budget,
                total_recommended - budget
            ));
        }
    }
    Ok(Advice {
        profile_name: profile.name.clone(),
        currency: market.currency.clone(),
        onshore_only: profile.onshore_only,
        total_saving: total_in_house - total_recommended,
        total_recommended,
        total_in_house,
        monthly_budget: profile.monthly_budget,
        lines,
        reasons,
    })
}

fn advise_line(
    line: &WorkloadLine,
    context: &LineContext<'_>,
    currency: &str,
) -> Result<LineAdvice, AdvisorError> {
    let volume = line.monthly_volume;
    let unit = context.rates.unit;
    let options = context.options(volume)?;
    let chosen = context.choose(&options);
    let in_house_cost = options
        .iter()
        .find(|o| o.model == DeliveryModel::InHouse)
        .map(|o| o.monthly_cost)
        .expect("in-house is always among the options");
    let break_even = context.break_even();

    let mut projections = Vec::new();
    for multiplier in [2u32, 5] {
        let scaled = volume * Decimal::from(multiplier);
        let choice = context.choose(&context.options(scaled)?);
        projections.push(Projection {
            multiplier,
            monthly_volume: scaled,
            recommended: choice.model,
            monthly_cost: choice.monthly_cost,
        });
    }

    let mut reasons = Vec::new();
    let hours = (volume * context.rates.hours_per_unit).round_dp(1);
    reasons.push(format!(
        "{} is cheapest among the allowed options at {currency} {} a month for {volume} {unit} (about {hours} h).",
        capitalise(chosen.model.label()),
        chosen.monthly_cost
    ));
    for cheaper in options.iter().filter(|o| o.monthly_cost < chosen.monthly_cost) {
        if let Some(why) = &cheaper.ineligible_because {
            reasons.push(format!(
                "{} would cost {currency} {} but is ruled out: {why}.",
                capitalise(cheaper.model.label()),
                cheaper.monthly_cost
            ));
        }
    }
    match line.collaboration {
        Level::High => reasons.push(
            "High need for personal collaboration: kept with someone working directly with the attorney.".into(),
        ),
        Level::Medium => reasons.push(
            "Medium collaboration: an LPO only with a virtual assistant liaising with the attorney (a blend).".into(),
        ),
        Level::Low => reasons.push("Low collaboration: the work can go to a remote team.".into()),
    }
    if chosen.model != DeliveryModel::InHouse {
        reasons.push(format!(
            "Saves {currency} {} a month against doing it in-house.",
            in_house_cost - chosen.monthly_cost
        ));
    }
    let lpo_name = if context.onshore_only { "onshore LPO" } else { "offshore LPO" };
    match break_even {
        Some(at) if volume >= at => reasons.push(format!(
            "Above the break-even of {at} {unit} a month, the {lpo_name} is cheaper than a virtual assistant{}.",
            if line.collaboration == Level::High { ", but this line needs the attorney too closely to send out" } else { "" }
        )),
        Some(at) => reasons.push(format!(
            "The {lpo_name} becomes cheaper than a virtual assistant from {at} {unit} a month ({}× today's volume).",
            if volume.is_zero() { "∞".to_owned() } else { (at / volume).round_dp(1).to_string() }
        )),
        None => reasons.push(format!(
            "A virtual assistant stays cheaper than an {lpo_name} per {} at any volume.",
            unit_singular(unit)
        )),
    }
    if let Some(scale) =
        projections.iter().find(|p| p.recommended.uses_lpo() && !chosen.model.uses_lpo())
    {
        reasons.push(format!(
            "At ×{} caseload ({} {unit} a month) scale into {}.",
            scale.multiplier,
            scale.monthly_volume,
            scale.recommended.label()
        ));
    }
    Ok(LineAdvice {
        service_line: line.service_line,
        unit,
        monthly_volume: volume,
        monthly_hours: money(volume * context.rates.hours_per_unit),
        collaboration: line.collaboration,
        recommended: chosen.model,
        recommended_cost: chosen.monthly_cost,
        saving_vs_in_house: in_house_cost - chosen.monthly_cost,
        in_house_cost,
        break_even_lpo_vs_va: break_even,
        projections,
        reasons,
        options,
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn unit_singular(unit: Unit) -> &'static str {
    match unit {
        Unit::Documents => "document",
        Unit::Pages => "page",
        Unit::Records => "record",
        Unit::Hours => "hour",
        Unit::Filings => "filing",
    }
}

/// Short column headings for the table, in [`DeliveryModel::ALL`] order.
fn short_label(model: DeliveryModel) -> &'static str {
    match model {
        DeliveryModel::InHouse => "In-house",
        DeliveryModel::VirtualAssistant => "VA",
        DeliveryModel::LpoOnshore => "LPO on",
        DeliveryModel::LpoOffshore => "LPO off",
        DeliveryModel::BlendOnshore => "Blend on",
        DeliveryModel::BlendOffshore => "Blend off",
    }
}

/// A plain-text table of the advice for the CLI. Costs of options that may not be chosen are marked with `*`;
/// offshore options for an onshore-only client are shown as `-`.
pub fn render_table(advice: &Advice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Workload: {} (monthly, {})", advice.profile_name, advice.currency);
    let _ = write!(out, "{:<38} {:>16}", "Service line", "Volume");
    for model in DeliveryModel::ALL {
        let _ = write!(out, " {:>10}", short_label(model));
    }
    let _ = writeln!(out, "  {:<26} {:>10}", "Recommended", "Saving");
    for line in &advice.lines {
        let volume = format!("{} {}", line.monthly_volume, line.unit);
        let _ = write!(out, "{:<38} {:>16}", line.service_line.label(), volume);
        for option in &line.options {
            let cell = match &option.ineligible_because {
                None => option.monthly_cost.to_string(),
                Some(_) if advice.onshore_only && option.model.is_offshore() => "-".to_owned(),
                Some(_) => format!("{}*", option.monthly_cost),
            };
            let _ = write!(out, " {cell:>10}");
        }
        let _ = writeln!(out, "  {:<26} {:>10}", line.recommended.label(), line.saving_vs_in_house);
    }
    let _ = writeln!(
        out,
        "Total: recommended {} vs all in-house {}, saving {} a month.",
        advice.total_recommended, advice.total_in_house, advice.total_saving
    );
    let _ = writeln!(out, "(* costed but not suitable, - not allowed)");
    for line in &advice.lines {
        let _ = writeln!(out, "\n{}:", line.service_line.label());
        for reason in &line.reasons {
            let _ = writeln!(out, "  - {reason}");
        }
        let projections: Vec<String> = line
            .projections
            .iter()
            .map(|p| format!("×{}: {} ({})", p.multiplier, p.recommended.label(), p.monthly_cost))
            .collect();
        let _ = writeln!(out, "  - Projection: {}.", projections.join("; "));
    }
    for reason in &advice.reasons {
        let _ = writeln!(out, "\n{reason}");
    }
    out
}

/// Escape text for SVG/XML content and attribute values.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A small server-renderable SVG: for each service line, horizontal bars for every allowed option's monthly cost,
/// the recommended one highlighted. All text is escaped.
pub fn svg_bar_chart(advice: &Advice) -> String {
    const WIDTH: u32 = 640;
    const LABEL_WIDTH: u32 = 170;
    const BAR_HEIGHT: u32 = 12;
    const GROUP_GAP: u32 = 22;
    let allowed = |o: &&OptionCost| !(advice.onshore_only && o.model.is_offshore());
    let max_cost = advice
        .lines
        .iter()
        .flat_map(|l| l.options.iter().filter(allowed))
        .map(|o| o.monthly_cost)
        .max()
        .unwrap_or_default();
    let bar_space = Decimal::from(WIDTH - LABEL_WIDTH - 90);
    let rows: u32 =
        advice.lines.iter().map(|l| l.options.iter().filter(allowed).count() as u32).sum();
    let height = 30 + rows * (BAR_HEIGHT + 2) + advice.lines.len() as u32 * GROUP_GAP;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="10" role="img">"#
    );
    let _ = writeln!(
        svg,
        r#"<title>{}</title><text x="4" y="14" font-size="12" font-weight="bold">{}</text>"#,
        escape_xml(&format!("Monthly cost by option: {}", advice.profile_name)),
        escape_xml(&format!("{} — monthly cost ({})", advice.profile_name, advice.currency))
    );
    let mut y = 30;
    for line in &advice.lines {
        let _ = writeln!(
            svg,
            r#"<text x="4" y="{}" font-weight="bold">{}</text>"#,
            y + 9,
            escape_xml(line.service_line.label())
        );
        y += GROUP_GAP - 8;
        for option in line.options.iter().filter(allowed) {
            let width = if max_cost.is_zero() {
                Decimal::ZERO
            } else {
                (option.monthly_cost / max_cost * bar_space).round()
            };
            let fill = if option.model == line.recommended {
                "#2b7a3d"
            } else if option.ineligible_because.is_some() {
                "#c8c8c8"
            } else {
                "#6b8fb5"
            };
            let _ = writeln!(
                svg,
                r#"<text x="12" y="{}">{}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{fill}"/><text x="{}" y="{}">{}</text>"#,
                y + 10,
                escape_xml(option.model.label()),
                Decimal::from(LABEL_WIDTH + 4) + width,
                y + 10,
                escape_xml(&option.monthly_cost.to_string())
            );
            y += BAR_HEIGHT + 2;
        }
        y += 8;
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rates_cover_every_service_line() {
        let rates = MarketRates::builtin().expect("embedded rates parse");
        for line in ServiceLine::ALL {
            assert!(rates.service_lines.contains_key(&line), "{line}");
        }
    }

    #[test]
    fn svg_escapes_text() {
        let profile = WorkloadProfile::from_toml(
            r#"
            name = "Smith & <Sons> \"LLP\""
            [[lines]]
            service_line = "billing_invoicing"
            monthly_volume = 10
            collaboration = "low"
            "#,
        )
        .expect("valid");
        let svg = svg_bar_chart(&advise(&profile).expect("advice"));
        assert!(svg.contains("Smith &amp; &lt;Sons&gt; &quot;LLP&quot;"));
        assert!(!svg.contains("<Sons>"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn profile_overrides_rates_and_checks_units() {
        let profile = WorkloadProfile::from_toml(
            r#"
            name = "override"
            [[lines]]
            service_line = "billing_invoicing"
            monthly_volume = 100
            collaboration = "low"
            [rates.billing_invoicing]
            in_house_hourly = "10"
            "#,
        )
        .expect("valid");
        let advice = advise(&profile).expect("advice");
        assert_eq!(advice.lines[0].in_house_cost, dec!(1000.00));
        assert_eq!(advice.lines[0].recommended, DeliveryModel::InHouse);
        let wrong_unit = r#"
            name = "x"
            [[lines]]
            service_line = "document_review"
            monthly_volume = 100
            unit = "pages"
            collaboration = "low"
        "#;
        assert!(matches!(advise_toml(wrong_unit), Err(AdvisorError::UnitMismatch { .. })));
        assert!(matches!(advise_toml("name = 1"), Err(AdvisorError::Profile(_))));
    }

    fn line_advice(
        line: ServiceLine,
        volume: Decimal,
        collaboration: &str,
        onshore_only: bool,
    ) -> LineAdvice {
        let profile = format!(
            "name = \"p\"\nonshore_only = {onshore_only}\n[[lines]]\nservice_line = \"{}\"\nmonthly_volume = \"{volume}\"\ncollaboration = \"{collaboration}\"\n",
            line.id()
        );
        advise_toml(&profile).expect("valid profile").lines.remove(0)
    }

    fn option_cost(advice: &LineAdvice, model: DeliveryModel) -> Decimal {
        advice
            .options
            .iter()
            .find(|o| o.model == model)
            .expect("every model is costed")
            .monthly_cost
    }

    #[test]
    fn break_even_agrees_with_the_cost_engine() {
        for line in ServiceLine::ALL {
            for onshore_only in [false, true] {
                let lpo = if onshore_only {
                    DeliveryModel::LpoOnshore
                } else {
                    DeliveryModel::LpoOffshore
                };
                let Some(at) =
                    line_advice(line, Decimal::ONE, "low", onshore_only).break_even_lpo_vs_va
                else {
                    continue;
                };
                let at_break_even = line_advice(line, at, "low", onshore_only);
                assert!(
                    option_cost(&at_break_even, lpo)
                        < option_cost(&at_break_even, DeliveryModel::VirtualAssistant)
                );
                let below = line_advice(line, at - Decimal::ONE, "low", onshore_only);
                assert!(
                    option_cost(&below, lpo)
                        >= option_cost(&below, DeliveryModel::VirtualAssistant),
                    "{line}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn onshore_only_profiles_never_get_offshore(
            line_index in 0usize..12,
            volume in 0u32..2_000_000,
            collaboration in proptest::sample::select(vec!["low", "medium", "high"]),
        ) {
            let advice = line_advice(ServiceLine::ALL[line_index], Decimal::from(volume), collaboration, true);
            proptest::prop_assert!(!advice.recommended.is_offshore());
            proptest::prop_assert!(advice.projections.iter().all(|p| !p.recommended.is_offshore()));
            proptest::prop_assert!(advice.recommended_cost <= advice.in_house_cost || advice.recommended == DeliveryModel::InHouse);
        }
    }
}
