//! In-memory conflict index: blocking keys retrieve candidate parties, the scorer ranks them, and hits
//! are grouped by the professional-conduct rule they put at stake (ABA Model Rules 1.7, 1.9, 1.10, 1.18).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::normalize::{NameKind, NormalizedName, is_han_or_hangul, normalize};
use crate::score::{DEFAULT_THRESHOLD, MatchExplanation, phonetic_key, score_normalized};
use crate::variants;

/// Identifier of a party (person or organization) in the firm's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartyId(pub u64);

/// Identifier of a matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MatterId(pub u64);

/// The party's role on the matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PartyRole {
    /// The firm represents (or represented) this party.
    Client,
    /// The party is (or was) on the other side.
    AdverseParty,
    /// The party consulted the firm but was not (yet) engaged.
    ProspectiveClient,
    /// A client of another lawyer whose conflicts the firm inherits (lateral hire, of counsel).
    ImputedClient,
    /// Co-party, witness, insurer or other involvement that is not itself a conflict.
    Other,
}

/// Whether the matter is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatterStatus {
    /// Work continues: its clients are current clients.
    Open,
    /// The matter ended: its clients are former clients.
    Closed,
}

/// One party on one matter, as the index is built from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyRecord {
    /// The party.
    pub party_id: PartyId,
    /// Its current name.
    pub name: String,
    /// Aliases and former names (maiden names, previous company names, trade names).
    pub aliases: Vec<String>,
    /// Person or organization, if known.
    pub kind: NameKind,
    /// Role on the matter.
    pub role: PartyRole,
    /// The matter.
    pub matter_id: MatterId,
    /// Whether the matter is open.
    pub matter_status: MatterStatus,
    /// The party consulted the firm as a prospective client (Model Rule 1.18).
    pub is_prospective: bool,
    /// Parents, subsidiaries and affiliates of the party.
    pub related_org_ids: Vec<PartyId>,
}

/// Why a hit matters, with the ABA Model Rule at stake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConflictKind {
    /// A current client or an adverse party on an open matter (Rule 1.7).
    DirectAdversity,
    /// A client on a closed matter (Rule 1.9).
    FormerClient,
    /// A conflict of another lawyer imputed to the firm (Rule 1.10).
    Imputed,
    /// Someone who consulted the firm (Rule 1.18).
    ProspectiveClient,
    /// A parent, subsidiary or affiliate of a hit (Rules 1.7 and 1.9 through the corporate family).
    RelatedOrganization,
    /// Other involvement (former adverse party, witness): worth a look, not a conflict by itself.
    OtherInvolvement,
}

impl ConflictKind {
    /// The professional-conduct rule at stake.
    pub fn model_rule(self) -> &'static str {
        match self {
            Self::DirectAdversity => "Model Rule 1.7 (current client conflict / direct adversity)",
            Self::FormerClient => "Model Rule 1.9 (duties to former clients)",
            Self::Imputed => "Model Rule 1.10 (imputation of conflicts)",
            Self::ProspectiveClient => "Model Rule 1.18 (duties to prospective clients)",
            Self::RelatedOrganization => "Model Rules 1.7/1.9 via parent, subsidiary or affiliate",
            Self::OtherInvolvement => "no rule by itself (other involvement)",
        }
    }

    fn of(record: &PartyRecord) -> Self {
        if record.is_prospective || record.role == PartyRole::ProspectiveClient {
            return Self::ProspectiveClient;
        }
        match (record.role, record.matter_status) {
            (PartyRole::Client | PartyRole::AdverseParty, MatterStatus::Open) => {
                Self::DirectAdversity
            }
            (PartyRole::Client, MatterStatus::Closed) => Self::FormerClient,
            (PartyRole::ImputedClient, _) => Self::Imputed,
            _ => Self::OtherInvolvement,
        }
    }
}

/// One party record that matched the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictHit {
    /// The party.
    pub party_id: PartyId,
    /// Its current name.
    pub name: String,
    /// The name or alias that matched (for related organizations, the related party's name).
    pub matched_name: String,
    /// Role on the matter.
    pub role: PartyRole,
    /// The matter.
    pub matter_id: MatterId,
    /// Whether the matter is open.
    pub matter_status: MatterStatus,
    /// Similarity of the searched name to `matched_name`.
    pub score: f64,
    /// Why the names matched.
    pub explanation: MatchExplanation,
    /// For related organizations: the party whose hit brought this one in.
    pub via: Option<PartyId>,
}

/// Hits that put the same rule at stake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictGroup {
    /// The kind of conflict.
    pub kind: ConflictKind,
    /// The rule at stake, for display.
    pub rule: String,
    /// Best hits first.
    pub hits: Vec<ConflictHit>,
}

/// The answer to one search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictReport {
    /// The searched name.
    pub query: String,
    /// Non-empty groups in the order of [`ConflictKind`].
    pub groups: Vec<ConflictGroup>,
    /// How many candidate names were fully scored.
    pub candidates_scored: usize,
}

impl ConflictReport {
    /// All hits of one kind (empty when none).
    pub fn hits(&self, kind: ConflictKind) -> &[ConflictHit] {
        self.groups.iter().find(|g| g.kind == kind).map(|g| g.hits.as_slice()).unwrap_or(&[])
    }

    /// True when nothing matched.
    pub fn is_clear(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Search tuning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Minimum score for a hit.
    pub threshold: f64,
    /// Candidates retrieved by blocking keys that are fully scored.
    pub max_candidates: usize,
    /// Schema hint for the searched name.
    pub kind: NameKind,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self { threshold: DEFAULT_THRESHOLD, max_candidates: 200, kind: NameKind::Unknown }
    }
}

/// Errors building an index.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IndexError {
    /// A party's name has nothing left after normalization (only punctuation, for instance).
    #[error("party {0:?} has a name with no letters or digits: {1:?}")]
    EmptyName(PartyId, String),
    /// More names than the index's 32-bit name ids can address.
    #[error("too many names for one index: {0}")]
    TooManyNames(usize),
}

/// A normalized name of one record, as stored.
#[derive(Debug)]
struct StoredName {
    record: u32,
    tokens: Box<str>,
    legal_forms: u64,
    alias: u16,
    /// Kept so explanations can say a name matched across scripts.
    transliterated: bool,
}

/// The conflict index. Build once from all party records; search many times.
#[derive(Debug)]
pub struct ConflictIndex {
    records: Vec<PartyRecord>,
    names: Vec<StoredName>,
    /// Blocking key -> range in `postings`.
    key_ranges: HashMap<u64, (u32, u32)>,
    /// Name ids, grouped by key.
    postings: Vec<u32>,
    /// Party -> its records (one per matter).
    by_party: HashMap<PartyId, Vec<u32>>,
    /// Party -> parties that list it as related (the reverse of `related_org_ids`).
    related_reverse: HashMap<PartyId, Vec<PartyId>>,
}

/// FNV-1a: a small, stable hash for blocking keys. Collisions only add candidates, never lose them.
fn key_hash(kind: u8, text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(kind);
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const KEY_TOKEN: u8 = 1;
const KEY_PHONETIC: u8 = 2;
const KEY_PREFIX: u8 = 3;
const KEY_VARIANT: u8 = 4;
const KEY_SUFFIX: u8 = 5;
const KEY_ANAGRAM: u8 = 6;

/// Fuzzy keys (sound, prefix, suffix, nickname group) reaching more names than this are skipped at
/// query time: they would cost milliseconds and rank nothing.
const FUZZY_POSTING_CAP: usize = 40_000;

/// Per-thread dense accumulators for candidate ranking, reused across searches: a dense array indexed
/// by name id is several times faster than a hash map over posting lists of tens of thousands.
#[derive(Default)]
struct Scratch {
    /// Best key weight of the current query token, per name.
    token_weight: Vec<f32>,
    /// Names the current token reached.
    token_touched: Vec<u32>,
    /// Summed weight over query tokens, per name.
    weight: Vec<f32>,
    /// Names any token reached.
    touched: Vec<u32>,
}

impl Scratch {
    /// Sizes the arrays for an index of `n` names; entries are zero between searches.
    fn prepare(&mut self, n: usize) {
        if self.weight.len() < n {
            self.weight.resize(n, 0.0);
            self.token_weight.resize(n, 0.0);
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Blocking keys of one token: the token, its sound, its first and last letters, its sorted letters and
/// its nickname groups.
/// Prefix and suffix keys catch typos early and late in a word; the sound catches the middle.
fn token_keys(token: &str, out: &mut Vec<(u8, u64)>) {
    let chars = token.chars().count();
    if chars == 1 && !token.chars().all(is_han_or_hangul) {
        // Initials are too common to retrieve by; the other tokens of the name will.
        return;
    }
    out.push((KEY_TOKEN, key_hash(KEY_TOKEN, token)));
    if chars >= 3 {
        let code = phonetic_key(token);
        if !code.is_empty() {
            out.push((KEY_PHONETIC, key_hash(KEY_PHONETIC, &code)));
        }
        let prefix: String = token.chars().take(3).collect();
        out.push((KEY_PREFIX, key_hash(KEY_PREFIX, &prefix)));
    }
    if chars >= 5 {
        let suffix: String = token.chars().skip(chars - 3).collect();
        out.push((KEY_SUFFIX, key_hash(KEY_SUFFIX, &suffix)));
        // Sorted letters catch transposed letters anywhere ("Waslh" for "Walsh").
        let mut letters: Vec<char> = token.chars().collect();
        letters.sort_unstable();
        out.push((KEY_ANAGRAM, key_hash(KEY_ANAGRAM, &letters.into_iter().collect::<String>())));
    }
    for canonical in variants::canonical_forms(token) {
        out.push((KEY_VARIANT, key_hash(KEY_VARIANT, canonical)));
    }
}

impl ConflictIndex {
    /// Builds the index. Names and aliases that normalize to nothing are an error, so that a party
    /// cannot silently escape conflict checks.
    pub fn build(records: Vec<PartyRecord>) -> Result<Self, IndexError> {
        let mut names = Vec::with_capacity(records.len() + records.len() / 4);
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(records.len() * 10);
        let mut key_cache: HashMap<String, Vec<(u8, u64)>> = HashMap::new();
        let mut by_party: HashMap<PartyId, Vec<u32>> = HashMap::new();
        let mut related_reverse: HashMap<PartyId, Vec<PartyId>> = HashMap::new();
        let mut keys = Vec::new();
        for (record_idx, record) in records.iter().enumerate() {
            let record_id =
                u32::try_from(record_idx).map_err(|_| IndexError::TooManyNames(records.len()))?;
            by_party.entry(record.party_id).or_default().push(record_id);
            for related in &record.related_org_ids {
                let back = related_reverse.entry(*related).or_default();
                if !back.contains(&record.party_id) {
                    back.push(record.party_id);
                }
            }
            let all_names = std::iter::once(&record.name).chain(&record.aliases);
            for (alias, raw) in all_names.enumerate() {
                let normalized = normalize(raw, record.kind);
                if normalized.tokens.is_empty() {
                    return Err(IndexError::EmptyName(record.party_id, raw.clone()));
                }
                let name_id = u32::try_from(names.len())
                    .map_err(|_| IndexError::TooManyNames(names.len()))?;
                keys.clear();
                for token in &normalized.tokens {
                    let cached = key_cache.entry(token.clone()).or_insert_with(|| {
                        let mut k = Vec::new();
                        token_keys(token, &mut k);
                        k
                    });
                    keys.extend(cached.iter().map(|(_, k)| *k));
                }
                keys.sort_unstable();
                keys.dedup();
                pairs.extend(keys.iter().map(|k| (*k, name_id)));
                names.push(StoredName {
                    record: record_id,
                    tokens: normalized.joined().into_boxed_str(),
                    legal_forms: normalized.legal_forms,
                    alias: u16::try_from(alias).unwrap_or(u16::MAX),
                    transliterated: normalized.transliterated,
                });
            }
        }
        pairs.sort_unstable();
        let mut postings = Vec::with_capacity(pairs.len());
        let mut key_ranges = HashMap::new();
        let mut start = 0usize;
        while start < pairs.len() {
            let key = pairs[start].0;
            let mut end = start;
            while end < pairs.len() && pairs[end].0 == key {
                postings.push(pairs[end].1);
                end += 1;
            }
            let from = u32::try_from(start).map_err(|_| IndexError::TooManyNames(pairs.len()))?;
            let len =
                u32::try_from(end - start).map_err(|_| IndexError::TooManyNames(pairs.len()))?;
            key_ranges.insert(key, (from, len));
            start = end;
        }
        Ok(Self { records, names, key_ranges, postings, by_party, related_reverse })
    }

    /// Number of party records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the index holds no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Number of indexed names (names plus aliases).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Estimated heap and inline memory in bytes (records, names, postings, maps).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let records: usize = self
            .records
            .iter()
            .map(|r| {
                size_of::<PartyRecord>()
                    + r.name.capacity()
                    + r.aliases.iter().map(|a| a.capacity() + size_of::<String>()).sum::<usize>()
                    + r.related_org_ids.capacity() * size_of::<PartyId>()
            })
            .sum();
        let names: usize =
            self.names.iter().map(|n| size_of::<StoredName>() + n.tokens.len()).sum();
        // Hash maps hold roughly one control byte plus the entry per bucket, at ~87% load.
        let map_entry = |entry: usize| (entry + 1) * 8 / 7;
        let keys = self.key_ranges.capacity() * map_entry(size_of::<(u64, (u32, u32))>());
        let postings = self.postings.capacity() * size_of::<u32>();
        let by_party = self.by_party.capacity() * map_entry(size_of::<(PartyId, Vec<u32>)>())
            + self.by_party.values().map(|v| v.capacity() * 4).sum::<usize>();
        let related = self.related_reverse.capacity()
            * map_entry(size_of::<(PartyId, Vec<PartyId>)>())
            + self.related_reverse.values().map(|v| v.capacity() * 8).sum::<usize>();
        records + names + keys + postings + by_party + related
    }

    fn posting(&self, key: u64) -> &[u32] {
        match self.key_ranges.get(&key) {
            Some(&(start, len)) => &self.postings[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// Candidate name ids for a normalized query, best first. Each query token adds, to every name it
    /// reaches, the weight of its best key: the key's rarity, discounted for fuzzy keys, so that an
    /// exact surname outranks a shared prefix.
    fn candidates(&self, query: &NormalizedName, max: usize) -> Vec<u32> {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            self.candidates_with(query, max, &mut scratch)
        })
    }

    fn candidates_with(
        &self,
        query: &NormalizedName,
        max: usize,
        scratch: &mut Scratch,
    ) -> Vec<u32> {
        let n = self.names.len();
        scratch.prepare(n);
        let total = n.max(1) as f32;
        let mut keys = Vec::new();
        for token in &query.tokens {
            keys.clear();
            token_keys(token, &mut keys);
            for &(kind, key) in &keys {
                let posting = self.posting(key);
                // A fuzzy key shared by a large share of all names ranks nothing; skip the work.
                if posting.is_empty() || (kind != KEY_TOKEN && posting.len() > FUZZY_POSTING_CAP) {
                    continue;
                }
                let discount = match kind {
                    KEY_TOKEN => 1.0,
                    KEY_VARIANT => 0.9,
                    KEY_PHONETIC => 0.6,
                    _ => 0.4,
                };
                let w = discount * ((total / posting.len() as f32).ln() + 1.0);
                // One token counts once per name, with its best key.
                for &id in posting {
                    let slot = &mut scratch.token_weight[id as usize];
                    if *slot == 0.0 {
                        scratch.token_touched.push(id);
                    }
                    if w > *slot {
                        *slot = w;
                    }
                }
            }
            let Scratch { token_weight, token_touched, weight, touched } = &mut *scratch;
            for &id in token_touched.iter() {
                let slot = &mut weight[id as usize];
                if *slot == 0.0 {
                    touched.push(id);
                }
                *slot += token_weight[id as usize];
                token_weight[id as usize] = 0.0;
            }
            token_touched.clear();
        }
        let mut ranked: Vec<(u32, f32)> =
            scratch.touched.iter().map(|&id| (id, scratch.weight[id as usize])).collect();
        for &id in &scratch.touched {
            scratch.weight[id as usize] = 0.0;
        }
        scratch.touched.clear();
        if ranked.len() > max {
            ranked.select_nth_unstable_by(max, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(max);
        }
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().map(|(id, _)| id).collect()
    }

    /// Searches a name (a prospective client, an adverse party, a related entity) with default options.
    pub fn search(&self, name: &str) -> ConflictReport {
        self.search_with(name, &SearchOptions::default())
    }

    /// Searches a name with explicit options.
    pub fn search_with(&self, name: &str, options: &SearchOptions) -> ConflictReport {
        let query = normalize(name, options.kind);
        let candidates = self.candidates(&query, options.max_candidates);
        // Best name per record: a party found under its alias and its name is one hit.
        let mut best: HashMap<u32, (f64, MatchExplanation, u16)> = HashMap::new();
        for name_id in &candidates {
            let stored = &self.names[*name_id as usize];
            let record = &self.records[stored.record as usize];
            let mut candidate =
                NormalizedName::from_parts(&stored.tokens, stored.legal_forms, record.kind);
            candidate.transliterated = stored.transliterated;
            let explanation = score_normalized(&query, &candidate);
            if explanation.score < options.threshold {
                continue;
            }
            let better = best.get(&stored.record).is_none_or(|(s, _, _)| explanation.score > *s);
            if better {
                best.insert(stored.record, (explanation.score, explanation, stored.alias));
            }
        }

        let mut hits: Vec<(ConflictKind, ConflictHit)> = Vec::new();
        let mut hit_parties: HashSet<PartyId> = HashSet::new();
        for (record_idx, (score, explanation, alias)) in &best {
            let record = &self.records[*record_idx as usize];
            hit_parties.insert(record.party_id);
            hits.push((
                ConflictKind::of(record),
                self.hit(record, *alias, *score, explanation.clone(), None),
            ));
        }

        // Parents, subsidiaries and affiliates of every hit, one hop in both directions.
        let mut related_hits: Vec<(ConflictKind, ConflictHit)> = Vec::new();
        let mut seen_related: HashSet<(PartyId, MatterId)> = HashSet::new();
        for (_, hit) in &hits {
            let record_ids = self.by_party.get(&hit.party_id).map(Vec::as_slice).unwrap_or(&[]);
            let forward =
                record_ids.iter().flat_map(|r| self.records[*r as usize].related_org_ids.iter());
            let backward = self.related_reverse.get(&hit.party_id).into_iter().flatten();
            for related in forward.chain(backward) {
                if hit_parties.contains(related) {
                    continue;
                }
                for r in self.by_party.get(related).map(Vec::as_slice).unwrap_or(&[]) {
                    let record = &self.records[*r as usize];
                    if seen_related.insert((record.party_id, record.matter_id)) {
                        let related_hit = self.hit(
                            record,
                            0,
                            hit.score,
                            hit.explanation.clone(),
                            Some(hit.party_id),
                        );
                        related_hits.push((ConflictKind::RelatedOrganization, related_hit));
                    }
                }
            }
        }
        hits.extend(related_hits);

        let mut groups: Vec<ConflictGroup> = Vec::new();
        hits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.score.total_cmp(&a.1.score))
                .then(a.1.party_id.cmp(&b.1.party_id))
                .then(a.1.matter_id.cmp(&b.1.matter_id))
        });
        for (kind, hit) in hits {
            match groups.last_mut() {
                Some(group) if group.kind == kind => group.hits.push(hit),
                _ => groups.push(ConflictGroup {
                    kind,
                    rule: kind.model_rule().to_owned(),
                    hits: vec![hit],
                }),
            }
        }
        ConflictReport { query: name.to_owned(), groups, candidates_scored: candidates.len() }
    }

    fn hit(
        &self,
        record: &PartyRecord,
        alias: u16,
        score: f64,
        explanation: MatchExplanation,
        via: Option<PartyId>,
    ) -> ConflictHit {
        let matched_name = match alias {
            0 => record.name.clone(),
            n => record
                .aliases
                .get(usize::from(n) - 1)
                .cloned()
                .unwrap_or_else(|| record.name.clone()),
        };
        ConflictHit {
            party_id: record.party_id,
            name: record.name.clone(),
            matched_name,
            role: record.role,
            matter_id: record.matter_id,
            matter_status: record.matter_status,
            score,
            explanation,
            via,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: u64, name: &str, role: PartyRole, status: MatterStatus) -> PartyRecord {
        PartyRecord {
            party_id: PartyId(id),
            name: name.to_owned(),
            aliases: Vec::new(),
            kind: NameKind::Unknown,
            role,
            matter_id: MatterId(id * 10),
            matter_status: status,
            is_prospective: false,
            related_org_ids: Vec::new(),
        }
    }

    #[test]
    fn empty_names_are_rejected() {
        let err =
            ConflictIndex::build(vec![record(1, "...", PartyRole::Client, MatterStatus::Open)])
                .expect_err("a name without letters cannot be indexed");
        assert_eq!(err, IndexError::EmptyName(PartyId(1), "...".to_owned()));
    }

    #[test]
    fn kinds_follow_role_and_status() {
        let open_client = record(1, "A", PartyRole::Client, MatterStatus::Open);
        let closed_client = record(2, "B", PartyRole::Client, MatterStatus::Closed);
        let mut prospective = record(3, "C", PartyRole::Other, MatterStatus::Open);
        prospective.is_prospective = true;
        let imputed = record(4, "D", PartyRole::ImputedClient, MatterStatus::Closed);
        let closed_adverse = record(5, "E", PartyRole::AdverseParty, MatterStatus::Closed);
        assert_eq!(ConflictKind::of(&open_client), ConflictKind::DirectAdversity);
        assert_eq!(ConflictKind::of(&closed_client), ConflictKind::FormerClient);
        assert_eq!(ConflictKind::of(&prospective), ConflictKind::ProspectiveClient);
        assert_eq!(ConflictKind::of(&imputed), ConflictKind::Imputed);
        assert_eq!(ConflictKind::of(&closed_adverse), ConflictKind::OtherInvolvement);
    }

    #[test]
    fn key_hash_separates_key_kinds() {
        assert_ne!(key_hash(KEY_TOKEN, "smith"), key_hash(KEY_PREFIX, "smith"));
    }
}
