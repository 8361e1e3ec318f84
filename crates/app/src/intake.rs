//! Use cases for the public intake form, the lead pipeline, conflict checks over every stored party and saved conflict reports.
//!
//! The conflict index is built from the store (contacts with aliases and former names, every
//! matter party with its role on open and closed matters, clients with and without matters,
//! corporate relationships, leads) and kept in memory per database. It is rebuilt when the audit
//! log shows a change to contacts, clients, matters or leads since it was built: every change is
//! audited, so the log is a change feed that also sees imports, other processes and the CLI.

use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use domain::{
    Action, Actor, ContactKind, Id, Matter, MatterStatus, PartyRole, RelationshipKind, Role,
};
use intake::pipeline::{self, FormField, LeadStage, SpamVerdict};
/// The pipeline vocabulary the web layer renders.
pub use intake::pipeline::{
    FieldKind, FormField as IntakeField, LETTER_PLACEHOLDERS, LeadStage as Stage, format_fields,
};
use intake::{ConflictIndex, ConflictKind, MatterId, NameKind, PartyId, PartyRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};
use store::Page;
use store::intake::{
    AuditPosition, ConflictDecision, ConflictReportRow, ConflictSources, IntakeFormRow, LeadRow,
    ReportFilter,
};

/// Settings key of the non-engagement letter template.
pub const LETTER_TEMPLATE_KEY: &str = "intake.letter_template";
/// Settings key of the firm name letters are signed with.
pub const FIRM_NAME_KEY: &str = "intake.firm_name";
/// Settings key of the secret that signs public form timestamps.
const FORM_SECRET_KEY: &str = "intake.form_secret";
/// Public submissions accepted per client address per hour.
pub const SUBMISSIONS_PER_HOUR: usize = 5;

/// Entities whose changes can change a conflict check's answer, and the actions on them that do not.
const INDEXED_ENTITIES: &[&str] = &["contact", "client", "matter", "lead", "conflict_history"];
const NON_INDEX_ACTIONS: &[&str] =
    &["matter.view", "matter.team_add", "matter.team_remove", "matter.wall_add"];

// ---- results -----------------------------------------------------------------------------------

/// One hit of a conflict check, ready to show and to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictHitView {
    /// The name that was searched.
    pub searched: String,
    /// The party's current name.
    pub party: String,
    pub contact_id: Option<Id>,
    pub lead_id: Option<Id>,
    /// The name or alias that matched (the related party's name for affiliates).
    pub matched_name: String,
    /// The party's role, e.g. "Client", "Adverse party", "Prospective client", "Contact".
    pub role: String,
    pub matter_id: Option<Id>,
    pub matter_number: String,
    pub matter_title: String,
    /// "open", "closed" or "" (no matter).
    pub matter_status: String,
    pub score: f64,
    /// Why the names matched, in words.
    pub explanation: String,
    /// The matching rules that fired (nickname, suffix dropped, …).
    pub rules: Vec<String>,
    /// For related organizations: the party whose hit brought this one in.
    pub via: Option<String>,
    /// The viewer is walled off this matter: the hit stays, its matter is hidden.
    #[serde(default)]
    pub screened: bool,
}

/// Hits that put one rule at stake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictGroupView {
    /// Stable id: direct_adversity, former_client, imputed, prospective_client,
    /// related_organization, other_involvement.
    pub kind: String,
    pub title: String,
    pub rule: String,
    pub hits: Vec<ConflictHitView>,
}

/// The answer to a conflict check over one or more names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictResult {
    pub names: Vec<String>,
    pub groups: Vec<ConflictGroupView>,
    /// Stored names that normalize to nothing (only punctuation) and so cannot be searched.
    #[serde(default)]
    pub unindexed: Vec<String>,
}

impl ConflictResult {
    pub fn hit_count(&self) -> usize {
        self.groups.iter().map(|g| g.hits.len()).sum()
    }
}

/// A saved report with its hits decoded for display.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictReportView {
    pub row: ConflictReportRow,
    pub result: ConflictResult,
    pub may_decide: bool,
}

/// What the matter page shows about its latest check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictSummary {
    pub report_id: Id,
    pub hits: i64,
    /// None while pending.
    pub decision: Option<String>,
}

/// The reviewer's decisions.
pub const DECISIONS: [(&str, &str); 3] =
    [("cleared", "Cleared"), ("waived", "Waived with informed consent"), ("declined", "Declined")];

fn kind_id(kind: ConflictKind) -> (&'static str, &'static str) {
    match kind {
        ConflictKind::DirectAdversity => {
            ("direct_adversity", "Direct adversity (current clients and adverse parties)")
        }
        ConflictKind::FormerClient => ("former_client", "Former clients"),
        ConflictKind::Imputed => ("imputed", "Imputed conflicts"),
        ConflictKind::ProspectiveClient => ("prospective_client", "Prospective clients"),
        ConflictKind::RelatedOrganization => ("related_organization", "Related organizations"),
        ConflictKind::OtherInvolvement => ("other_involvement", "Other involvement"),
    }
}

// ---- the index ---------------------------------------------------------------------------------

/// What a `PartyId` of the index stands for.
#[derive(Debug, Clone)]
enum PartyRef {
    Contact {
        id: Id,
        name: String,
    },
    Lead {
        id: Id,
        name: String,
    },
    /// A party of a matter from before lawdesk.
    History {
        name: String,
    },
}

impl PartyRef {
    fn name(&self) -> &str {
        match self {
            PartyRef::Contact { name, .. }
            | PartyRef::Lead { name, .. }
            | PartyRef::History { name } => name,
        }
    }
}

#[derive(Debug, Clone)]
struct MatterRef {
    id: Id,
    number: String,
    title: String,
    status: MatterStatus,
    /// A pre-lawdesk matter: no page to link to.
    legacy: bool,
}

/// The index with the maps back to stored records.
pub struct FirmIndex {
    index: ConflictIndex,
    parties: Vec<PartyRef>,
    /// `MatterId(n)` is `matters[n - 1]`; `MatterId(0)` means no matter.
    matters: Vec<MatterRef>,
    /// (party id, matter id) -> the domain role, for labels.
    roles: HashMap<(u64, u64), &'static str>,
    unindexed: Vec<String>,
}

impl std::fmt::Debug for FirmIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirmIndex").field("records", &self.index.len()).finish_non_exhaustive()
    }
}

fn name_kind(kind: ContactKind) -> NameKind {
    match kind {
        ContactKind::Person => NameKind::Person,
        ContactKind::Organization => NameKind::Organization,
    }
}

fn searchable(name: &str, kind: NameKind) -> bool {
    !intake::normalize(name, kind).tokens.is_empty()
}

/// Builds the firm's conflict index from stored records (pure; runs on a blocking thread).
pub fn build_index(src: ConflictSources) -> Result<FirmIndex> {
    let mut parties: Vec<PartyRef> = Vec::new();
    let mut matters: Vec<MatterRef> = Vec::new();
    let mut matter_ids: HashMap<Id, u64> = HashMap::new();
    let mut roles: HashMap<(u64, u64), &'static str> = HashMap::new();
    let mut records: Vec<PartyRecord> = Vec::new();
    let mut unindexed = Vec::new();

    let mut related: HashMap<Id, Vec<Id>> = HashMap::new();
    for (from, kind, to) in &src.relationships {
        if matches!(
            kind,
            RelationshipKind::ParentOf
                | RelationshipKind::SubsidiaryOf
                | RelationshipKind::AffiliateOf
        ) {
            related.entry(*from).or_default().push(*to);
        }
    }
    let mut parties_of: HashMap<Id, Vec<&store::intake::SourceParty>> = HashMap::new();
    for p in &src.parties {
        parties_of.entry(p.contact_id).or_default().push(p);
    }
    let clients: HashSet<Id> = src.client_contacts.iter().copied().collect();
    let mut contact_party: HashMap<Id, PartyId> = HashMap::new();
    // First pass: party ids for contacts, so relationships can name them.
    let mut usable = Vec::new();
    for c in &src.contacts {
        let kind = name_kind(c.kind);
        let mut names: Vec<&String> = std::iter::once(&c.name)
            .chain(&c.other_names)
            .filter(|n| searchable(n, kind))
            .collect();
        for n in std::iter::once(&c.name).chain(&c.other_names) {
            if !searchable(n, kind) {
                unindexed.push(n.clone());
            }
        }
        if names.is_empty() {
            continue;
        }
        let primary = names.remove(0).clone();
        let pid = PartyId(parties.len() as u64);
        parties.push(PartyRef::Contact { id: c.id, name: c.name.clone() });
        contact_party.insert(c.id, pid);
        usable.push((c, pid, kind, primary, names.into_iter().cloned().collect::<Vec<_>>()));
    }
    for (c, pid, kind, primary, aliases) in usable {
        let related_org_ids: Vec<PartyId> = related
            .get(&c.id)
            .map(|v| v.iter().filter_map(|t| contact_party.get(t).copied()).collect())
            .unwrap_or_default();
        let base = PartyRecord {
            party_id: pid,
            name: primary,
            aliases,
            kind,
            role: intake::PartyRole::Other,
            matter_id: MatterId(0),
            matter_status: intake::MatterStatus::Open,
            is_prospective: false,
            related_org_ids,
        };
        match parties_of.get(&c.id) {
            Some(on_matters) => {
                for p in on_matters {
                    let mid = *matter_ids.entry(p.matter_id).or_insert_with(|| {
                        matters.push(MatterRef {
                            id: p.matter_id,
                            number: p.matter_number.clone(),
                            title: p.matter_title.clone(),
                            status: p.matter_status,
                            legacy: false,
                        });
                        matters.len() as u64
                    });
                    roles.insert((pid.0, mid), p.role.label());
                    records.push(PartyRecord {
                        role: match p.role {
                            PartyRole::Client => intake::PartyRole::Client,
                            PartyRole::AdverseParty => intake::PartyRole::AdverseParty,
                            _ => intake::PartyRole::Other,
                        },
                        matter_id: MatterId(mid),
                        matter_status: if p.matter_status.is_active() {
                            intake::MatterStatus::Open
                        } else {
                            intake::MatterStatus::Closed
                        },
                        ..base.clone()
                    });
                }
            }
            // A client without matters yet is still a current client.
            None if clients.contains(&c.id) => {
                roles.insert((pid.0, 0), "Client");
                records.push(PartyRecord { role: intake::PartyRole::Client, ..base });
            }
            // The rest of the contact book: worth a look, not a conflict by itself.
            None => {
                roles.insert((pid.0, 0), "Contact");
                records.push(base);
            }
        }
    }
    for lead in &src.leads {
        // An engaged lead is a client now and is indexed as one.
        if lead.stage == LeadStage::Engaged.as_str() {
            continue;
        }
        let kind = name_kind(lead.kind);
        if !searchable(&lead.name, kind) {
            unindexed.push(lead.name.clone());
            continue;
        }
        let pid = PartyId(parties.len() as u64);
        parties.push(PartyRef::Lead { id: lead.id, name: lead.name.clone() });
        roles.insert((pid.0, 0), "Prospective client");
        records.push(PartyRecord {
            party_id: pid,
            name: lead.name.clone(),
            aliases: Vec::new(),
            kind,
            role: intake::PartyRole::ProspectiveClient,
            matter_id: MatterId(0),
            matter_status: intake::MatterStatus::Open,
            is_prospective: true,
            related_org_ids: Vec::new(),
        });
    }
    for h in &src.history {
        let kind = name_kind(h.kind);
        let mut names: Vec<String> = std::iter::once(&h.name)
            .chain(&h.aliases)
            .filter(|n| searchable(n, kind))
            .cloned()
            .collect();
        if names.is_empty() {
            unindexed.push(h.name.clone());
            continue;
        }
        let primary = names.remove(0);
        let pid = PartyId(parties.len() as u64);
        parties.push(PartyRef::History { name: h.name.clone() });
        matters.push(MatterRef {
            id: h.id,
            number: h.matter_ref.clone(),
            title: h.matter_title.clone(),
            status: if h.closed_on.is_some() { MatterStatus::Closed } else { MatterStatus::Open },
            legacy: true,
        });
        let mid = matters.len() as u64;
        roles.insert((pid.0, mid), h.role.label());
        records.push(PartyRecord {
            party_id: pid,
            name: primary,
            aliases: names,
            kind,
            role: match h.role {
                PartyRole::Client => intake::PartyRole::Client,
                PartyRole::AdverseParty => intake::PartyRole::AdverseParty,
                _ => intake::PartyRole::Other,
            },
            matter_id: MatterId(mid),
            matter_status: if h.closed_on.is_some() {
                intake::MatterStatus::Closed
            } else {
                intake::MatterStatus::Open
            },
            is_prospective: false,
            related_org_ids: Vec::new(),
        });
    }
    let index = ConflictIndex::build(records)
        .map_err(|e| AppError::Internal(format!("conflict index: {e}")))?;
    Ok(FirmIndex { index, parties, matters, roles, unindexed })
}

/// A hit to leave out: the subject itself.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// Hits on this matter (the matter being checked lists its own parties).
    pub matter: Option<Id>,
    /// The contact being checked, with the role it takes: the same contact in the same role
    /// elsewhere (the same client again) is not a conflict; in another role it is.
    pub contact: Option<(Id, PartyRole)>,
    /// The lead being checked.
    pub lead: Option<Id>,
}

impl FirmIndex {
    /// Number of party records indexed.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Searches each name and merges the hits by rule, best first, one hit per party and matter.
    pub fn check(&self, names: &[String], exclude: &Exclusions) -> ConflictResult {
        let mut by_kind: BTreeMap<ConflictKind, Vec<ConflictHitView>> = BTreeMap::new();
        let mut seen: HashMap<(ConflictKind, u64, u64), usize> = HashMap::new();
        for name in names {
            let report = self.index.search(name);
            for group in &report.groups {
                for hit in &group.hits {
                    let party = &self.parties[hit.party_id.0 as usize];
                    let matter =
                        (hit.matter_id.0 > 0).then(|| &self.matters[hit.matter_id.0 as usize - 1]);
                    let role = self
                        .roles
                        .get(&(hit.party_id.0, hit.matter_id.0))
                        .copied()
                        .unwrap_or("Contact");
                    let (contact_id, lead_id, party_name) = match party {
                        PartyRef::Contact { id, name } => (Some(*id), None, name.clone()),
                        PartyRef::Lead { id, name } => (None, Some(*id), name.clone()),
                        PartyRef::History { name } => (None, None, name.clone()),
                    };
                    if exclude.matter.is_some() && matter.map(|m| m.id) == exclude.matter {
                        continue;
                    }
                    if let Some((c, r)) = exclude.contact
                        && contact_id == Some(c)
                        && role == r.label()
                    {
                        continue;
                    }
                    if lead_id.is_some() && lead_id == exclude.lead {
                        continue;
                    }
                    let via = hit.via.map(|v| self.parties[v.0 as usize].name().to_owned());
                    let view = ConflictHitView {
                        searched: name.clone(),
                        party: party_name,
                        contact_id,
                        lead_id,
                        matched_name: hit.matched_name.clone(),
                        role: role.to_owned(),
                        matter_id: matter.filter(|m| !m.legacy).map(|m| m.id),
                        matter_number: matter
                            .map(|m| {
                                if m.legacy {
                                    format!("{} (before lawdesk)", m.number)
                                } else {
                                    m.number.clone()
                                }
                            })
                            .unwrap_or_default(),
                        matter_title: matter.map(|m| m.title.clone()).unwrap_or_default(),
                        matter_status: matter
                            .map(|m| {
                                if m.status.is_active() { "open" } else { "closed" }.to_owned()
                            })
                            .unwrap_or_default(),
                        score: (hit.score * 1000.0).round() / 1000.0,
                        explanation: explain(&hit.explanation, via_note(&hit.via, self)),
                        rules: hit.explanation.rules.iter().map(|r| r.label().to_owned()).collect(),
                        via,
                        screened: false,
                    };
                    let key = (group.kind, hit.party_id.0, hit.matter_id.0);
                    let list = by_kind.entry(group.kind).or_default();
                    match seen.get(&key) {
                        Some(&at) if list[at].score >= view.score => {}
                        Some(&at) => list[at] = view,
                        None => {
                            seen.insert(key, list.len());
                            list.push(view);
                        }
                    }
                }
            }
        }
        let groups = by_kind
            .into_iter()
            .map(|(kind, mut hits)| {
                hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.party.cmp(&b.party)));
                let (id, title) = kind_id(kind);
                ConflictGroupView {
                    kind: id.to_owned(),
                    title: title.to_owned(),
                    rule: kind.model_rule().to_owned(),
                    hits,
                }
            })
            .collect();
        ConflictResult { names: names.to_vec(), groups, unindexed: self.unindexed.clone() }
    }
}

fn via_note(via: &Option<PartyId>, idx: &FirmIndex) -> Option<String> {
    via.map(|v| idx.parties[v.0 as usize].name().to_owned())
}

/// The score in words: the score, the rules that fired and the token pairs that were not exact.
fn explain(e: &intake::MatchExplanation, via: Option<String>) -> String {
    let mut out = format!("score {:.2}", e.score);
    let rules: Vec<&str> = e.rules.iter().map(|r| r.label()).collect();
    if !rules.is_empty() {
        out.push_str(&format!(" ({})", rules.join(", ")));
    }
    let pairs: Vec<String> = e
        .pairs
        .iter()
        .filter(|p| p.rule != intake::MatchRule::ExactAfterNormalization)
        .map(|p| format!("\"{}\" ~ \"{}\" by {}", p.left, p.right, p.rule.label()))
        .collect();
    if !pairs.is_empty() {
        out.push_str(&format!("; {}", pairs.join("; ")));
    }
    if !e.unmatched_left.is_empty() || !e.unmatched_right.is_empty() {
        let extra: Vec<&str> =
            e.unmatched_left.iter().chain(&e.unmatched_right).map(String::as_str).collect();
        out.push_str(&format!("; unmatched: {}", extra.join(", ")));
    }
    match via {
        // The related party did not match by name: its parent, subsidiary or affiliate did.
        Some(v) => format!("no name match of its own; related to {v}, which matched with {out}"),
        None => out,
    }
}

// ---- the per-database cache --------------------------------------------------------------------

struct Cached {
    position: AuditPosition,
    index: Arc<FirmIndex>,
}

/// Indexes by database history (the first audit entry's hash), so several databases in one
/// process (tests, a restore beside the original) never share an index by mistake.
static INDEXES: LazyLock<Mutex<HashMap<String, Cached>>> = LazyLock::new(Default::default);

/// Public form submissions per (database, client address), for the rate limit.
static SUBMISSIONS: LazyLock<Mutex<HashMap<String, Vec<DateTime<Utc>>>>> =
    LazyLock::new(Default::default);

/// Whether the actor may run conflict checks and read reports: the firm's own people, never
/// external users (a check searches the whole contact book).
pub fn may_check(actor: &Actor) -> bool {
    domain::Policy::allows(actor, Action::ViewContacts)
}

/// Whether the actor may decide on a report: waiving or clearing a conflict is a lawyer's call.
pub fn may_decide(actor: &Actor) -> bool {
    actor.active && matches!(actor.role, Role::Admin | Role::Attorney)
}

impl App {
    fn require_check(&self, actor: &Actor) -> Result<()> {
        if may_check(actor) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The firm's conflict index, rebuilt only when contacts, clients, matters or leads changed.
    pub async fn conflict_index(&self) -> Result<Arc<FirmIndex>> {
        let genesis = self.store.audit_genesis().await?.unwrap_or_default();
        let position = self.store.audit_position().await?;
        let cached = {
            let map = INDEXES.lock().expect("index cache lock is never poisoned");
            map.get(&genesis).map(|c| (c.position.clone(), c.index.clone()))
        };
        if let Some((at, index)) = cached {
            if at == position {
                return Ok(index);
            }
            // Same history (the remembered entry is still there, unchanged) and nothing indexed
            // changed since: move the mark forward and keep the index.
            let same_history = at.seq <= position.seq
                && (at.seq == 0
                    || self.store.audit_hash_at(at.seq).await? == Some(at.hash.clone()));
            if same_history
                && self
                    .store
                    .audit_changes_since(at.seq, INDEXED_ENTITIES, NON_INDEX_ACTIONS)
                    .await?
                    == 0
            {
                let mut map = INDEXES.lock().expect("index cache lock is never poisoned");
                map.insert(genesis, Cached { position, index: index.clone() });
                return Ok(index);
            }
        }
        let sources = self.store.conflict_sources().await?;
        let index = tokio::task::spawn_blocking(move || build_index(sources))
            .await
            .map_err(|e| AppError::Internal(format!("conflict index build: {e}")))??;
        let index = Arc::new(index);
        let mut map = INDEXES.lock().expect("index cache lock is never poisoned");
        // Keep the cache small: a process rarely serves more than a few databases.
        if map.len() >= 32 && !map.contains_key(&genesis) {
            let victim = map.keys().next().cloned();
            if let Some(v) = victim {
                map.remove(&v);
            }
        }
        map.insert(genesis, Cached { position, index: index.clone() });
        Ok(index)
    }

    /// Hides the matters of hits the actor is walled off (walls beat roles): the hit remains so
    /// the conflict is not missed, but which matter it is stays behind the wall.
    async fn screen(&self, actor: &Actor, result: &mut ConflictResult) -> Result<()> {
        let mut walled: HashMap<Id, bool> = HashMap::new();
        for g in &mut result.groups {
            for h in &mut g.hits {
                let Some(m) = h.matter_id else { continue };
                let w = match walled.get(&m) {
                    Some(w) => *w,
                    None => {
                        let w = match self.store.matter_access(actor, m).await {
                            Ok(a) => a.walled,
                            Err(store::StoreError::NotFound(_)) => false,
                            Err(e) => return Err(e.into()),
                        };
                        walled.insert(m, w);
                        w
                    }
                };
                if w {
                    h.screened = true;
                    h.matter_id = None;
                    h.matter_number = "(screened)".into();
                    h.matter_title = "a matter you are walled off".into();
                }
            }
        }
        Ok(())
    }

    /// Runs a conflict check without saving it (the CLI prints it; the UI saves every check).
    pub async fn conflict_check(&self, actor: &Actor, names: &[String]) -> Result<ConflictResult> {
        self.require_check(actor)?;
        let names = clean_names(names)?;
        let index = self.conflict_index().await?;
        let mut result = index.check(&names, &Exclusions::default());
        self.screen(actor, &mut result).await?;
        Ok(result)
    }

    async fn save_report(
        &self,
        ran_by: Option<Id>,
        subject: &str,
        matter: Option<Id>,
        lead: Option<Id>,
        result: &ConflictResult,
    ) -> Result<Id> {
        let now = self.now();
        let row = ConflictReportRow {
            id: Id::new_at(now),
            query: result.names.join("; "),
            subject: subject.into(),
            matter_id: matter,
            lead_id: lead,
            ran_by,
            ran_by_name: None,
            ran_at: now,
            hit_count: result.hit_count() as i64,
            hits: serde_json::to_string(result)
                .map_err(|e| AppError::Internal(format!("report json: {e}")))?,
            decision: None,
            decision_note: None,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            blob_sha256: None,
            document_name: None,
        };
        let ev = store::AuditEvent::new(now, ran_by, "conflict.check", "conflict_report", row.id)
            .with(serde_json::json!({
                "query": row.query, "subject": subject, "hits": row.hit_count,
                "matter": matter.map(|m| m.to_string()), "lead": lead.map(|l| l.to_string()),
            }));
        self.store.save_conflict_report(&row, ev).await?;
        Ok(row.id)
    }

    /// Runs a check on names typed by a user and saves the report.
    pub async fn run_conflict_check(&self, actor: &Actor, names: &[String]) -> Result<Id> {
        self.require_check(actor)?;
        let names = clean_names(names)?;
        let index = self.conflict_index().await?;
        let result = index.check(&names, &Exclusions::default());
        self.save_report(Some(actor.user_id), "manual", None, None, &result).await
    }

    /// Checks a new matter's client automatically (called when a matter is created).
    pub(crate) async fn auto_check_matter(&self, actor: &Actor, matter: &Matter) -> Result<()> {
        let client = self.store.client(matter.client_id).await?;
        let contact = self.store.contact(client.contact_id).await?;
        let names: Vec<String> = contact.all_names().map(String::from).collect();
        let index = self.conflict_index().await?;
        let exclude = Exclusions {
            matter: Some(matter.id),
            contact: Some((contact.id, PartyRole::Client)),
            lead: None,
        };
        let result = index.check(&names, &exclude);
        self.save_report(Some(actor.user_id), "matter", Some(matter.id), None, &result).await?;
        Ok(())
    }

    /// Checks a party just added to a matter (called from `add_party`).
    pub(crate) async fn auto_check_party(
        &self,
        actor: &Actor,
        matter: Id,
        contact: Id,
        role: PartyRole,
    ) -> Result<()> {
        let contact = self.store.contact(contact).await?;
        let names: Vec<String> = contact.all_names().map(String::from).collect();
        let index = self.conflict_index().await?;
        let exclude =
            Exclusions { matter: Some(matter), contact: Some((contact.id, role)), lead: None };
        let result = index.check(&names, &exclude);
        self.save_report(Some(actor.user_id), "party", Some(matter), None, &result).await?;
        Ok(())
    }

    async fn report_visible(&self, actor: &Actor, row: &ConflictReportRow) -> Result<()> {
        self.require_check(actor)?;
        if let Some(m) = row.matter_id
            && self.store.matter_access(actor, m).await?.walled
        {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    /// One saved report, screened for the viewer.
    pub async fn conflict_report(&self, actor: &Actor, id: Id) -> Result<ConflictReportView> {
        self.require_check(actor)?;
        let row = self.store.conflict_report(id).await?;
        self.report_visible(actor, &row).await?;
        let mut result: ConflictResult = serde_json::from_str(&row.hits)
            .map_err(|e| AppError::Internal(format!("stored report {id}: {e}")))?;
        self.screen(actor, &mut result).await?;
        Ok(ConflictReportView {
            may_decide: may_decide(actor) && row.decision.is_none(),
            row,
            result,
        })
    }

    /// Saved reports, newest first (reports on matters the actor is walled off are left out).
    pub async fn conflict_reports(
        &self,
        actor: &Actor,
        filter: &ReportFilter,
        page: Page,
    ) -> Result<(Vec<ConflictReportRow>, bool)> {
        self.require_check(actor)?;
        let (rows, more) = self.store.list_conflict_reports(filter, page).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if self.report_visible(actor, &r).await.is_ok() {
                out.push(r);
            }
        }
        Ok((out, more))
    }

    /// The latest report on a matter, for the matter page.
    pub async fn matter_conflict_summary(
        &self,
        actor: &Actor,
        matter: Id,
    ) -> Result<Option<ConflictSummary>> {
        self.require_check(actor)?;
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))?;
        let filter = ReportFilter { matter_id: Some(matter), ..Default::default() };
        let (rows, _) = self.store.list_conflict_reports(&filter, Page::new(1, 50)).await?;
        // Pending reports first: one open question outweighs any number of answered ones.
        let pending: Vec<&ConflictReportRow> =
            rows.iter().filter(|r| r.decision.is_none()).collect();
        let latest = pending.first().copied().or(rows.first());
        Ok(latest.map(|r| ConflictSummary {
            report_id: r.id,
            hits: if r.decision.is_none() {
                pending.iter().map(|p| p.hit_count).sum()
            } else {
                r.hit_count
            },
            decision: r.decision.clone(),
        }))
    }

    /// Records the reviewer's decision. A waiver needs the client's informed consent in writing,
    /// so it needs the document.
    pub async fn decide_conflict(
        &self,
        actor: &Actor,
        id: Id,
        decision: &str,
        note: &str,
        document: Option<(String, Vec<u8>)>,
    ) -> Result<()> {
        let row = self.store.conflict_report(id).await?;
        self.report_visible(actor, &row).await?;
        if !may_decide(actor) {
            return Err(AppError::Forbidden);
        }
        let decision = decision.trim();
        if !DECISIONS.iter().any(|(d, _)| *d == decision) {
            return Err(AppError::Invalid {
                field: "decision".into(),
                message: "choose cleared, waived or declined".into(),
            });
        }
        let note = domain::validate::optional("note", note, 5_000)?;
        let document = match document.filter(|(_, b)| !b.is_empty()) {
            Some((name, bytes)) => {
                if bytes.len() > crate::MAX_ATTACHMENT_BYTES {
                    return Err(AppError::Invalid {
                        field: "document".into(),
                        message: format!(
                            "files may be at most {} MB",
                            crate::MAX_ATTACHMENT_BYTES / 1024 / 1024
                        ),
                    });
                }
                let name: String = name
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("consent")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                crate::attachment_type(&name).map_err(|e| match e {
                    AppError::Invalid { message, .. } => {
                        AppError::Invalid { field: "document".into(), message }
                    }
                    other => other,
                })?;
                Some((name, bytes))
            }
            None => None,
        };
        if decision == "waived" && document.is_none() {
            return Err(AppError::Invalid {
                field: "document".into(),
                message: "a waiver needs the signed informed-consent document".into(),
            });
        }
        let d = ConflictDecision {
            decision: decision.into(),
            note: note.clone(),
            decided_by: actor.user_id,
            decided_at: self.now(),
            document,
        };
        let ev =
            self.event(actor, "conflict.decision", "conflict_report", id).with(serde_json::json!({
                "decision": decision, "note": note, "hits": row.hit_count,
                "document": d.document.as_ref().map(|(n, _)| n.clone()),
            }));
        Ok(self.store.decide_conflict_report(id, &d, ev).await?)
    }

    /// The waiver's consent document.
    pub async fn conflict_document(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<(String, &'static str, Vec<u8>)> {
        let row = self.store.conflict_report(id).await?;
        self.report_visible(actor, &row).await?;
        let (Some(sha), Some(name)) = (row.blob_sha256, row.document_name) else {
            return Err(AppError::NotFound("document"));
        };
        let content_type = crate::attachment_type(&name)?;
        let bytes = self.store.blobs().get(&sha).await?;
        Ok((name, content_type, bytes))
    }

    /// Records a party of a matter the firm handled before lawdesk, so checks find it
    /// (administrators and attorneys, who bring the old conflicts lists).
    pub async fn add_history_party(&self, actor: &Actor, f: &HistoryForm) -> Result<Id> {
        self.require(actor, Action::ImportData)?;
        let closed_on = if f.closed_on.trim().is_empty() {
            None
        } else {
            Some(chrono::NaiveDate::parse_from_str(f.closed_on.trim(), "%Y-%m-%d").map_err(
                |_| AppError::Invalid {
                    field: "closed_on".into(),
                    message: "use a date like 2021-06-30".into(),
                },
            )?)
        };
        let p = store::intake::HistoryParty {
            id: Id::new_at(self.now()),
            name: domain::validate::required("name", &f.name, 300)?,
            kind: ContactKind::parse(if f.kind.is_empty() { "organization" } else { &f.kind })?,
            aliases: domain::validate::list(&f.aliases),
            role: PartyRole::parse(if f.role.is_empty() { "client" } else { &f.role })?,
            matter_ref: domain::validate::optional("matter_ref", &f.matter_ref, 100)?,
            matter_title: domain::validate::optional("matter_title", &f.matter_title, 300)?,
            closed_on,
            created_at: self.now(),
        };
        if !searchable(&p.name, name_kind(p.kind)) {
            return Err(AppError::Invalid {
                field: "name".into(),
                message: "a name needs letters or digits".into(),
            });
        }
        let ev = self.event(actor, "conflict_history.add", "conflict_history", p.id).with(
            serde_json::json!({
                "name": p.name, "role": p.role.as_str(), "matter": p.matter_ref,
            }),
        );
        self.store.add_history_party(&p, ev).await?;
        Ok(p.id)
    }

    // ---- intake forms ------------------------------------------------------------------------

    /// The public form of a practice area (no account needed), with a fresh signed timestamp.
    pub async fn public_intake_form(&self, practice_area: &str) -> Result<PublicForm> {
        let row = self
            .store
            .intake_form(practice_area)
            .await?
            .ok_or(AppError::NotFound("intake form"))?;
        let fields: Vec<FormField> = serde_json::from_str(&row.fields)
            .map_err(|e| AppError::Internal(format!("intake form {practice_area}: {e}")))?;
        let secret = self.form_secret().await?;
        Ok(PublicForm {
            token: pipeline::form_token(&secret, &row.practice_area, self.now().timestamp()),
            practice_area: row.practice_area,
            title: row.title,
            fields,
        })
    }

    /// A token as if the form had been served at `issued` (tests and the e2e flow use it to skip
    /// the minimum fill time without sleeping).
    pub async fn intake_form_token(
        &self,
        practice_area: &str,
        issued: DateTime<Utc>,
    ) -> Result<String> {
        let secret = self.form_secret().await?;
        Ok(pipeline::form_token(&secret, practice_area, issued.timestamp()))
    }

    async fn form_secret(&self) -> Result<Vec<u8>> {
        if let Some(s) = self.store.setting(FORM_SECRET_KEY).await? {
            return Ok(s.into_bytes());
        }
        let secret = hex::encode(rand::random::<[u8; 32]>());
        let ev = store::AuditEvent::new(
            self.now(),
            None,
            "settings.intake_form_secret",
            "settings",
            FORM_SECRET_KEY,
        );
        self.store.set_setting(FORM_SECRET_KEY, &secret, ev).await?;
        // Two first requests may race; whichever secret was stored last is the one to use.
        Ok(self.store.setting(FORM_SECRET_KEY).await?.unwrap_or(secret).into_bytes())
    }

    /// Practice areas with a public form.
    pub async fn intake_forms(&self) -> Result<Vec<IntakeFormRow>> {
        Ok(self.store.intake_forms().await?)
    }

    /// Creates or edits a practice area's form (administrators).
    pub async fn set_intake_form(
        &self,
        actor: &Actor,
        practice_area: &str,
        title: &str,
        fields_text: &str,
    ) -> Result<()> {
        self.require(actor, Action::ManageUsers)?;
        let area = practice_area.trim().to_lowercase();
        if area.is_empty()
            || area.len() > 60
            || !area.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(AppError::Invalid {
                field: "practice_area".into(),
                message: "use lowercase letters, digits and hyphens (it is part of the address)"
                    .into(),
            });
        }
        let title = domain::validate::required("title", title, 200)?;
        let fields = pipeline::parse_fields(fields_text)
            .map_err(|message| AppError::Invalid { field: "fields".into(), message })?;
        let row = IntakeFormRow {
            practice_area: area.clone(),
            title,
            fields: serde_json::to_string(&fields).expect("form fields serialize"),
            updated_at: self.now(),
        };
        let ev =
            self.event(actor, "intake.form_update", "intake_form", &area).with(serde_json::json!({
                "title": row.title, "fields": fields.len(),
            }));
        Ok(self.store.put_intake_form(&row, ev).await?)
    }

    /// The letter template and firm name (administrators edit them).
    pub async fn letter_template(&self) -> Result<(String, String)> {
        let template = self
            .store
            .setting(LETTER_TEMPLATE_KEY)
            .await?
            .unwrap_or_else(|| pipeline::DEFAULT_LETTER_TEMPLATE.to_owned());
        let firm =
            self.store.setting(FIRM_NAME_KEY).await?.unwrap_or_else(|| "our firm".to_owned());
        Ok((template, firm))
    }

    pub async fn set_letter_template(
        &self,
        actor: &Actor,
        template: &str,
        firm: &str,
    ) -> Result<()> {
        self.require(actor, Action::ManageUsers)?;
        pipeline::check_letter_template(template)
            .map_err(|message| AppError::Invalid { field: "template".into(), message })?;
        let firm = domain::validate::required("firm", firm, 200)?;
        let ev = self.event(actor, "intake.letter_template", "settings", LETTER_TEMPLATE_KEY);
        self.store.set_setting(LETTER_TEMPLATE_KEY, template.trim(), ev).await?;
        let ev = self.event(actor, "intake.firm_name", "settings", FIRM_NAME_KEY);
        Ok(self.store.set_setting(FIRM_NAME_KEY, &firm, ev).await?)
    }

    // ---- leads -------------------------------------------------------------------------------

    /// Takes a public form submission. Spam signals are checked first; a filled honeypot gets a
    /// normal-looking answer (Ok(None)) so robots learn nothing. Field problems come back as
    /// `Ok(Err(messages))` for the form to show inline.
    pub async fn submit_lead(
        &self,
        practice_area: &str,
        f: &LeadSubmission,
        client_ip: &str,
    ) -> Result<Option<std::result::Result<Id, Vec<(String, String)>>>> {
        let form = self.public_intake_form(practice_area).await?;
        let now = self.now();
        let secret = self.form_secret().await?;
        match pipeline::check_submission(
            &secret,
            &form.practice_area,
            &f.token,
            &f.website,
            now.timestamp(),
        ) {
            Ok(()) => {}
            Err(SpamVerdict::Honeypot) => return Ok(None),
            Err(SpamVerdict::TooFast) => {
                return Ok(Some(Err(vec![(
                    "form".into(),
                    "that was quick: please check your answers and send the form again".into(),
                )])));
            }
            Err(SpamVerdict::Expired | SpamVerdict::BadToken) => {
                return Ok(Some(Err(vec![(
                    "form".into(),
                    "this form has expired; please send it again".into(),
                )])));
            }
        }
        let genesis = self.store.audit_genesis().await?.unwrap_or_default();
        {
            let key = format!("{genesis}|{client_ip}");
            let mut map = SUBMISSIONS.lock().expect("rate limit lock is never poisoned");
            let times = map.entry(key).or_default();
            times.retain(|t| *t > now - Duration::hours(1));
            if times.len() >= SUBMISSIONS_PER_HOUR {
                let retry = (times[0] + Duration::hours(1) - now).num_seconds().max(1) as u64;
                return Err(AppError::RateLimited { retry_after_secs: retry });
            }
            times.push(now);
        }
        let mut errors = Vec::new();
        let mut field = |name: &str, r: std::result::Result<String, domain::DomainError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push((
                    name.to_owned(),
                    e.to_string().split_once(": ").map(|(_, m)| m.to_owned()).unwrap_or_default(),
                ));
                String::new()
            }
        };
        let name = field("name", domain::validate::required("name", &f.name, 300));
        let email = field(
            "email",
            if f.email.trim().is_empty() {
                Ok(String::new())
            } else {
                domain::user::normalize_email(&f.email)
            },
        );
        let phone = field("phone", domain::validate::optional("phone", &f.phone, 60));
        let description =
            field("description", domain::validate::required("description", &f.description, 10_000));
        if email.is_empty() && phone.is_empty() && !errors.iter().any(|(n, _)| n == "email") {
            errors.push(("email".into(), "leave an email address or a phone number".into()));
        }
        let kind = ContactKind::parse(if f.kind.is_empty() { "person" } else { &f.kind })
            .unwrap_or(ContactKind::Person);
        let adverse: Vec<String> =
            domain::validate::list(&f.adverse_parties).into_iter().take(20).collect();
        if adverse.iter().any(|a| a.chars().count() > 300) {
            errors.push(("adverse_parties".into(), "use at most 300 characters per name".into()));
        }
        let answers = match pipeline::validate_answers(&form.fields, &f.answers) {
            Ok(a) => a,
            Err(mut e) => {
                errors.append(&mut e);
                BTreeMap::new()
            }
        };
        if !errors.is_empty() {
            return Ok(Some(Err(errors)));
        }
        let lead = LeadRow {
            id: Id::new_at(now),
            practice_area: form.practice_area.clone(),
            name,
            kind,
            email,
            phone,
            description,
            adverse_parties: adverse,
            answers,
            stage: LeadStage::New.as_str().into(),
            client_id: None,
            matter_id: None,
            letter_html: None,
            letter_at: None,
            created_at: now,
            updated_at: now,
        };
        // The public has no user id; the audit entry records where the lead came from instead.
        let ev = store::AuditEvent::new(now, None, "lead.create", "lead", lead.id).with(
            serde_json::json!({"practice_area": lead.practice_area, "source": "public_form"}),
        );
        self.store.create_lead(&lead, ev).await?;
        Ok(Some(Ok(lead.id)))
    }

    /// The pipeline board: every stage with its leads (newest first).
    pub async fn lead_board(&self, actor: &Actor) -> Result<Vec<(LeadStage, Vec<LeadRow>)>> {
        self.require_check(actor)?;
        let mut board = Vec::new();
        for stage in LeadStage::ALL {
            let (rows, _) = self.store.list_leads(Some(stage.as_str()), Page::new(1, 100)).await?;
            board.push((stage, rows));
        }
        Ok(board)
    }

    pub async fn list_leads(
        &self,
        actor: &Actor,
        stage: Option<LeadStage>,
        page: Page,
    ) -> Result<(Vec<LeadRow>, bool)> {
        self.require_check(actor)?;
        Ok(self.store.list_leads(stage.map(LeadStage::as_str), page).await?)
    }

    /// One lead with its conflict reports.
    pub async fn lead(&self, actor: &Actor, id: Id) -> Result<LeadView> {
        self.require_check(actor)?;
        let lead = self.store.lead(id).await?;
        let stage = stage_of(&lead)?;
        let filter = ReportFilter { lead_id: Some(id), ..Default::default() };
        let (reports, _) = self.store.list_conflict_reports(&filter, Page::new(1, 50)).await?;
        let cleared = reports
            .first()
            .is_some_and(|r| matches!(r.decision.as_deref(), Some("cleared" | "waived")));
        Ok(LeadView {
            may_convert: stage.may_convert() && cleared,
            moves: stage.moves().to_vec(),
            stage,
            lead,
            reports,
        })
    }

    async fn write_lead(
        &self,
        actor: &Actor,
        lead: &LeadRow,
        from: LeadStage,
        action: &str,
    ) -> Result<()> {
        let ev = self.event(actor, action, "lead", lead.id).with(serde_json::json!({
            "from": from.as_str(), "to": lead.stage,
        }));
        Ok(self.store.update_lead(lead, from.as_str(), ev).await?)
    }

    /// Moves a lead on the board. Moving to "conflict check" runs the check; declining renders
    /// and stores the non-engagement letter.
    pub async fn move_lead(&self, actor: &Actor, id: Id, to: LeadStage) -> Result<()> {
        self.require_check(actor)?;
        let mut lead = self.store.lead(id).await?;
        let from = stage_of(&lead)?;
        if !from.moves().contains(&to) {
            return Err(AppError::Invalid {
                field: "stage".into(),
                message: format!("a lead cannot move from {} to {}", from.label(), to.label()),
            });
        }
        lead.stage = to.as_str().into();
        lead.updated_at = self.now();
        if to == LeadStage::Declined {
            let (template, firm) = self.letter_template().await?;
            let mut values = BTreeMap::new();
            values.insert("name", lead.name.clone());
            values.insert("date", self.now().format("%B %-d, %Y").to_string());
            values.insert("practice_area", lead.practice_area.replace('-', " "));
            values.insert("firm", firm);
            lead.letter_html = Some(pipeline::render_letter(&template, &values));
            lead.letter_at = Some(self.now());
        }
        self.write_lead(actor, &lead, from, "lead.stage").await?;
        if to == LeadStage::ConflictCheck {
            self.check_lead_names(actor, &lead).await?;
        }
        Ok(())
    }

    async fn check_lead_names(&self, actor: &Actor, lead: &LeadRow) -> Result<Id> {
        let mut names = vec![lead.name.clone()];
        names.extend(lead.adverse_parties.iter().cloned());
        let index = self.conflict_index().await?;
        let exclude = Exclusions { lead: Some(lead.id), ..Default::default() };
        let result = index.check(&names, &exclude);
        self.save_report(Some(actor.user_id), "lead", None, Some(lead.id), &result).await
    }

    /// Runs the conflict check on a lead (its name and the parties it named as adverse) and saves
    /// the report; a new lead moves to "conflict check".
    pub async fn check_lead(&self, actor: &Actor, id: Id) -> Result<Id> {
        self.require_check(actor)?;
        let mut lead = self.store.lead(id).await?;
        let from = stage_of(&lead)?;
        if from.is_final() {
            return Err(AppError::Conflict(format!(
                "the lead is {} already",
                from.label().to_lowercase()
            )));
        }
        let report = self.check_lead_names(actor, &lead).await?;
        if from == LeadStage::New {
            lead.stage = LeadStage::ConflictCheck.as_str().into();
            lead.updated_at = self.now();
            self.write_lead(actor, &lead, from, "lead.stage").await?;
        }
        Ok(report)
    }

    /// Converts a consulted, cleared lead into a client and a matter without retyping: the
    /// contact gets the lead's name, email and phone; the matter its practice area and
    /// description; the adverse parties are added (and checked, like every party).
    pub async fn convert_lead(
        &self,
        actor: &Actor,
        id: Id,
        client_code: &str,
        responsible_attorney: &str,
    ) -> Result<Matter> {
        self.require_check(actor)?;
        self.require(actor, Action::CreateMatter)?;
        let view = self.lead(actor, id).await?;
        if !view.may_convert {
            return Err(AppError::Conflict(
                "convert a lead after its consultation and a cleared or waived conflict check"
                    .into(),
            ));
        }
        let mut lead = view.lead;
        let contact_form = crate::ContactForm {
            kind: lead.kind.as_str().into(),
            name: lead.name.clone(),
            emails: lead.email.clone(),
            phones: lead.phone.clone(),
            notes: format!("From intake lead {} ({}).", lead.id, lead.practice_area),
            ..Default::default()
        };
        // Validate the code before creating anything, so a bad code leaves no stray contact.
        let code = domain::validate::required("code", client_code, 20)?.to_uppercase();
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AppError::Invalid {
                field: "code".into(),
                message: "use letters, digits and hyphens".into(),
            });
        }
        // Engaged first: from here on the lead is a client, not a prospective client, so the
        // automatic checks of the new matter do not report the lead against itself.
        lead.stage = LeadStage::Engaged.as_str().into();
        lead.updated_at = self.now();
        self.write_lead(actor, &lead, LeadStage::Consultation, "lead.stage").await?;
        match self.engage(actor, &mut lead, &contact_form, &code, responsible_attorney).await {
            Ok(m) => Ok(m),
            Err(e) => {
                // Put the card back so the conversion can be retried; what was created stays
                // (and is audited), as any partly entered client would.
                let mut back = lead.clone();
                back.stage = LeadStage::Consultation.as_str().into();
                back.client_id = None;
                back.matter_id = None;
                let _ = self.write_lead(actor, &back, LeadStage::Engaged, "lead.stage").await;
                Err(e)
            }
        }
    }

    async fn engage(
        &self,
        actor: &Actor,
        lead: &mut LeadRow,
        contact_form: &crate::ContactForm,
        code: &str,
        responsible_attorney: &str,
    ) -> Result<Matter> {
        let (contact, _) = self.create_contact(actor, contact_form).await?;
        let client =
            self.create_client(actor, Some(contact.id), &lead.name, lead.kind, code).await?;
        let title: String = format!("{} – {}", lead.name, lead.practice_area.replace('-', " "))
            .chars()
            .take(300)
            .collect();
        let matter = self
            .create_matter(
                actor,
                &crate::MatterForm {
                    client_id: client.id.to_string(),
                    title,
                    practice_area: lead.practice_area.replace('-', " "),
                    responsible_attorney: responsible_attorney.into(),
                    originating_attorney: responsible_attorney.into(),
                    ..Default::default()
                },
            )
            .await?;
        for adverse in &lead.adverse_parties {
            self.add_party(
                actor,
                matter.id,
                None,
                adverse,
                ContactKind::Organization,
                PartyRole::AdverseParty,
            )
            .await?;
        }
        lead.client_id = Some(client.id);
        lead.matter_id = Some(matter.id);
        lead.updated_at = self.now();
        let ev = self.event(actor, "lead.convert", "lead", lead.id).with(serde_json::json!({
            "client": client.id.to_string(), "matter": matter.id.to_string(), "number": matter.number,
        }));
        self.store.update_lead(lead, LeadStage::Engaged.as_str(), ev).await?;
        Ok(matter)
    }
}

fn stage_of(lead: &LeadRow) -> Result<LeadStage> {
    LeadStage::parse(&lead.stage).ok_or_else(|| {
        AppError::Internal(format!("lead {} has unknown stage {:?}", lead.id, lead.stage))
    })
}

fn clean_names(names: &[String]) -> Result<Vec<String>> {
    let names: Vec<String> =
        names.iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).take(50).collect();
    if names.is_empty() {
        return Err(AppError::Invalid {
            field: "name".into(),
            message: "enter a name to check".into(),
        });
    }
    if let Some(long) = names.iter().find(|n| n.chars().count() > 300) {
        return Err(AppError::Invalid {
            field: "name".into(),
            message: format!(
                "use at most 300 characters per name ({}…)",
                long.chars().take(20).collect::<String>()
            ),
        });
    }
    if names.iter().all(|n| !searchable(n, NameKind::Unknown)) {
        return Err(AppError::Invalid {
            field: "name".into(),
            message: "a name needs letters or digits".into(),
        });
    }
    Ok(names)
}

/// A party of a pre-lawdesk matter, as entered or imported.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryForm {
    pub name: String,
    #[serde(default)]
    pub kind: String,
    /// One per line.
    #[serde(default)]
    pub aliases: String,
    /// A party role (client, adverse_party, …).
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub matter_ref: String,
    #[serde(default)]
    pub matter_title: String,
    /// `YYYY-MM-DD`; empty while the old matter is open.
    #[serde(default)]
    pub closed_on: String,
}

/// A practice area's public form, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct PublicForm {
    pub practice_area: String,
    pub title: String,
    pub fields: Vec<FormField>,
    /// Signed time the form was served (checked for the minimum fill time).
    pub token: String,
}

/// What the public form posts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LeadSubmission {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub description: String,
    /// One name per line.
    #[serde(default)]
    pub adverse_parties: String,
    /// The honeypot: hidden from people, filled in by robots.
    #[serde(default)]
    pub website: String,
    /// The signed timestamp from the form.
    #[serde(default, rename = "_ts")]
    pub token: String,
    /// Extra fields of the practice area, by name.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
}

/// A lead with what its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct LeadView {
    pub lead: LeadRow,
    pub stage: LeadStage,
    pub moves: Vec<LeadStage>,
    pub reports: Vec<ConflictReportRow>,
    pub may_convert: bool,
}

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(app: &App, firm: &crate::demo::DemoFirm) -> Result<()> {
    let admin = crate::auth::actor_of(&firm.users[0]);
    let alice = crate::auth::actor_of(&firm.users[1]);
    app.set_intake_form(
        &admin,
        "business-litigation",
        "Business disputes",
        "company | Your company (if any) | text | optional\nincident_date | When did the dispute start? | date | optional\namount | Amount at stake | select | optional | under $100k; $100k-$1M; over $1M",
    )
    .await?;
    app.set_intake_form(
        &admin,
        "estates",
        "Wills, trusts and estates",
        "family | Who should the plan provide for? | textarea | required\nurgency | How soon do you need it? | select | optional | weeks; months; no rush",
    )
    .await?;
    app.set_letter_template(&admin, pipeline::DEFAULT_LETTER_TEMPLATE, "Barton & Okafor LLP")
        .await?;
    // Former clients from before lawdesk (the demo adds no matters): a check on a variant of
    // their names is a Rule 1.9 question.
    let history = [
        (
            "Globex Corporation",
            ContactKind::Organization,
            "Globex Intl.",
            "2019-044",
            "Globex supply contract review",
            "2021-06-30",
        ),
        (
            "William Hartley",
            ContactKind::Person,
            "",
            "2018-112",
            "Hartley employment dispute",
            "2019-02-15",
        ),
    ];
    for (name, kind, alias, number, title, closed) in history {
        app.add_history_party(
            &admin,
            &HistoryForm {
                name: name.into(),
                kind: kind.as_str().into(),
                aliases: alias.into(),
                role: PartyRole::Client.as_str().into(),
                matter_ref: number.into(),
                matter_title: title.into(),
                closed_on: closed.into(),
            },
        )
        .await?;
    }
    let now = app.now();
    let leads = [
        (
            "Hank Scorpio",
            "Our former supplier Globex Corp. stopped deliveries.",
            "Globex Corp.",
            LeadStage::New,
        ),
        (
            "Initech Corp.",
            "We need counsel in a contract dispute.",
            "Acme Holdings, Inc.",
            LeadStage::ConflictCheck,
        ),
        ("Lena Okoro", "I want a trust for my two children.", "", LeadStage::Consultation),
        (
            "Duff Brewing Co.",
            "A distributor owes us for three shipments.",
            "Moe's Tavern",
            LeadStage::Declined,
        ),
    ];
    for (name, description, adverse, stage) in leads {
        let lead = LeadRow {
            id: Id::new_at(app.now()),
            practice_area: if name == "Lena Okoro" { "estates" } else { "business-litigation" }
                .into(),
            name: name.into(),
            kind: if name.contains(' ') && !name.contains('.') {
                ContactKind::Person
            } else {
                ContactKind::Organization
            },
            email: format!(
                "{}@example.com",
                name.split(' ').next().unwrap_or("lead").to_lowercase()
            ),
            phone: String::new(),
            description: description.into(),
            adverse_parties: if adverse.is_empty() { vec![] } else { vec![adverse.into()] },
            answers: BTreeMap::new(),
            stage: LeadStage::New.as_str().into(),
            client_id: None,
            matter_id: None,
            letter_html: None,
            letter_at: None,
            created_at: now,
            updated_at: now,
        };
        let ev = store::AuditEvent::new(now, None, "lead.create", "lead", lead.id)
            .with(serde_json::json!({"practice_area": lead.practice_area, "source": "demo"}));
        app.store.create_lead(&lead, ev).await?;
        match stage {
            LeadStage::ConflictCheck => {
                app.check_lead(&alice, lead.id).await?;
            }
            LeadStage::Consultation => {
                let report = app.check_lead(&alice, lead.id).await?;
                app.decide_conflict(
                    &alice,
                    report,
                    "cleared",
                    "No hits on the family or the trustees.",
                    None,
                )
                .await?;
                app.move_lead(&alice, lead.id, LeadStage::Consultation).await?;
            }
            LeadStage::Declined => {
                app.move_lead(&alice, lead.id, LeadStage::Declined).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::intake::{SourceContact, SourceParty};

    fn id(n: u128) -> Id {
        Id(uuid::Uuid::from_u128(n))
    }

    fn sources() -> ConflictSources {
        let contact = |n, name: &str, others: &[&str]| SourceContact {
            id: id(n),
            kind: ContactKind::Organization,
            name: name.into(),
            other_names: others.iter().map(|s| s.to_string()).collect(),
        };
        let party = |c, m, number: &str, status, role| SourceParty {
            contact_id: id(c),
            matter_id: id(m),
            matter_number: number.into(),
            matter_title: format!("Matter {number}"),
            matter_status: status,
            role,
        };
        ConflictSources {
            contacts: vec![
                contact(1, "Acme Holdings, Inc.", &["Acme Group"]),
                contact(2, "Initech Corporation", &[]),
                contact(3, "Globex Corporation", &["Globex International"]),
                contact(4, "Acme Logistics LLC", &[]),
                contact(5, "...", &[]),
                contact(6, "Umbrella Corp", &[]),
            ],
            parties: vec![
                party(1, 100, "2026-0001", MatterStatus::Open, PartyRole::Client),
                party(2, 100, "2026-0001", MatterStatus::Open, PartyRole::AdverseParty),
                party(3, 101, "2024-0007", MatterStatus::Closed, PartyRole::Client),
            ],
            client_contacts: vec![id(1), id(3), id(6)],
            relationships: vec![(id(4), RelationshipKind::SubsidiaryOf, id(1))],
            leads: vec![],
            history: vec![store::intake::HistoryParty {
                id: id(700),
                name: "William Hartley".into(),
                kind: ContactKind::Person,
                aliases: vec![],
                role: PartyRole::Client,
                matter_ref: "2018-112".into(),
                matter_title: "Hartley employment dispute".into(),
                closed_on: chrono::NaiveDate::from_ymd_opt(2019, 2, 15),
                created_at: Utc::now(),
            }],
        }
    }

    fn kinds(r: &ConflictResult) -> Vec<&str> {
        r.groups.iter().map(|g| g.kind.as_str()).collect()
    }

    #[tokio::test]
    async fn the_cached_index_follows_every_indexed_change_and_only_those() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(store::Store::open_sqlite(dir.path()).await.unwrap());
        let firm = app.load_demo().await.unwrap();
        let admin = app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user;
        let admin = crate::auth::actor_of(&admin);
        let first = app.conflict_index().await.unwrap();
        assert!(Arc::ptr_eq(&first, &app.conflict_index().await.unwrap()), "unchanged: reused");
        let (matters, _) =
            app.list_matters(&admin, &Default::default(), Page::default()).await.unwrap();
        let acme = matters.iter().find(|m| m.client_name.starts_with("Acme")).unwrap().matter.id;
        app.matter(&admin, acme).await.unwrap(); // audited as a view, indexes nothing
        app.run_conflict_check(&admin, &["Initech".into()]).await.unwrap();
        assert!(
            Arc::ptr_eq(&first, &app.conflict_index().await.unwrap()),
            "views and reports do not rebuild"
        );
        let names = |n: &str| vec![n.to_owned()];
        assert_eq!(
            app.conflict_check(&admin, &names("Zanzibar Traders")).await.unwrap().hit_count(),
            0
        );
        let form = crate::ContactForm {
            kind: "organization".into(),
            name: "Zanzibar Trading Co.".into(),
            former_names: "Old Spice Traders".into(),
            ..Default::default()
        };
        app.create_contact(&admin, &form).await.unwrap();
        let r = app.conflict_check(&admin, &names("Old Spice Traders Ltd")).await.unwrap();
        assert_eq!(
            r.groups[0].hits[0].party, "Zanzibar Trading Co.",
            "a former name is found at once"
        );
        // Closing the matter turns Acme from a current into a former client.
        assert_eq!(
            app.conflict_check(&admin, &names("Acme Holdings")).await.unwrap().groups[0].kind,
            "direct_adversity"
        );
        app.set_matter_status(&admin, acme, MatterStatus::Closed).await.unwrap();
        let r = app.conflict_check(&admin, &names("Acme Holdings")).await.unwrap();
        assert_eq!(r.groups[0].kind, "former_client");
        // Another database in the same process has an index of its own.
        let other_dir = tempfile::tempdir().unwrap();
        let other = App::new(store::Store::open_sqlite(other_dir.path()).await.unwrap());
        other.bootstrap_admin("boss@other.test").await.unwrap();
        assert!(other.conflict_index().await.unwrap().is_empty());
        assert!(!app.conflict_index().await.unwrap().is_empty());
        assert_eq!(firm.matters, 3, "the demo adds no matters");
    }

    #[test]
    fn stored_roles_map_to_rules() {
        let idx = build_index(sources()).expect("builds");
        assert_eq!(idx.unindexed, vec!["...".to_owned()]);
        let r = idx.check(&["Globex Corp.".into()], &Exclusions::default());
        assert_eq!(kinds(&r), ["former_client"]);
        let hit = &r.groups[0].hits[0];
        assert_eq!(
            (hit.matter_number.as_str(), hit.matter_status.as_str()),
            ("2024-0007", "closed")
        );
        assert!(hit.explanation.contains("exact after normalization"), "{}", hit.explanation);
        let r = idx.check(&["ACME Holdings".into()], &Exclusions::default());
        assert_eq!(kinds(&r), ["direct_adversity", "related_organization"]);
        assert_eq!(r.groups[1].hits[0].party, "Acme Logistics LLC");
        assert_eq!(r.groups[1].hits[0].via.as_deref(), Some("Acme Holdings, Inc."));
        // A former client from before lawdesk, under a nickname: no link, the old file number.
        let r = idx.check(&["Bill Hartley".into()], &Exclusions::default());
        assert_eq!(kinds(&r), ["former_client"]);
        let hit = &r.groups[0].hits[0];
        assert_eq!(
            (hit.matter_id, hit.matter_number.as_str()),
            (None, "2018-112 (before lawdesk)")
        );
        assert!(hit.rules.iter().any(|x| x == "nickname"), "{:?}", hit.rules);
        // A client without matters is a current client.
        let r = idx.check(&["Umbrella Corporation".into()], &Exclusions::default());
        assert_eq!(r.groups[0].hits[0].role, "Client");
    }

    #[test]
    fn the_subject_is_excluded_but_the_same_contact_in_another_role_is_not() {
        let idx = build_index(sources()).expect("builds");
        let ex = Exclusions { matter: None, contact: Some((id(2), PartyRole::Client)), lead: None };
        let r = idx.check(&["Initech Corp".into()], &ex);
        assert_eq!(r.hit_count(), 1, "adverse elsewhere, client here: a conflict");
        let ex = Exclusions { matter: Some(id(100)), ..Default::default() };
        assert_eq!(idx.check(&["Initech Corp".into()], &ex).hit_count(), 0);
    }

    #[test]
    fn prospective_clients_are_found_until_engaged() {
        let mut src = sources();
        let lead = |stage: LeadStage| LeadRow {
            id: id(900),
            practice_area: "estates".into(),
            name: "William Tanaka".into(),
            kind: ContactKind::Person,
            email: String::new(),
            phone: String::new(),
            description: String::new(),
            adverse_parties: vec![],
            answers: BTreeMap::new(),
            stage: stage.as_str().into(),
            client_id: None,
            matter_id: None,
            letter_html: None,
            letter_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        src.leads = vec![lead(LeadStage::Declined)];
        let idx = build_index(src.clone()).expect("builds");
        let r = idx.check(&["Bill Tanaka".into()], &Exclusions::default());
        assert_eq!(kinds(&r), ["prospective_client"]);
        assert!(r.groups[0].hits[0].rules.iter().any(|x| x == "nickname"));
        let ex = Exclusions { lead: Some(id(900)), ..Default::default() };
        assert_eq!(idx.check(&["Bill Tanaka".into()], &ex).hit_count(), 0);
        src.leads = vec![lead(LeadStage::Engaged)];
        let idx = build_index(src).expect("builds");
        assert_eq!(idx.check(&["Bill Tanaka".into()], &Exclusions::default()).hit_count(), 0);
    }
}
