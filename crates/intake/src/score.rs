//! Name similarity: aligns the tokens of two normalized names and explains which rules made them match.
//!
//! Each token pair is compared by exact match, nickname/transliteration table, initials, Double
//! Metaphone and Damerau-Levenshtein (with Jaro-Winkler as a second opinion on long tokens). The name
//! score weighs matched tokens by how informative they are and charges for tokens left unmatched:
//! lightly when one name simply has more parts (a middle name or patronymic), heavily when both names
//! have parts the other lacks (a different surname).

use std::fmt;

use rphonetic::DoubleMetaphone;
use serde::{Deserialize, Serialize};

use crate::normalize::{NameKind, NormalizedName, generic_company_bit, normalize};
use crate::variants;

/// Scores at or above this are reported as matches. Chosen on the labelled corpus for F1 with a
/// lean towards recall, since a missed former client costs more than a second look.
pub const DEFAULT_THRESHOLD: f64 = 0.76;

/// A reason two names (or two of their tokens) were considered alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MatchRule {
    /// The names are identical after normalization.
    ExactAfterNormalization,
    /// Case, accents or punctuation differed.
    CaseAccentsPunctuation,
    /// One name was written in another script and transliterated.
    Transliteration,
    /// A title or honorific was dropped ("Dr.", "The").
    TitleDropped,
    /// A company legal form was dropped ("Inc.", "GmbH").
    SuffixDropped,
    /// Both names carry legal forms and they differ ("AG" vs "GmbH"); lowers the score.
    LegalFormMismatch,
    /// The tokens appear in a different order.
    TokenReorder,
    /// A nickname or transliteration variant ("Bill" for "William", "Usama" for "Osama").
    Nickname,
    /// An initial stands for a full name ("J." for "John").
    Initials,
    /// An acronym stands for the words of the other name ("PLA").
    Acronym,
    /// Tokens sound alike (Double Metaphone).
    Phonetic,
    /// Tokens differ by a few edits (typos, doubled letters).
    EditDistance,
    /// Words were joined or split ("SergeiLavrov", "Good Will").
    TokenJoin,
    /// One name has extra parts the other lacks (middle names, patronymics, qualifiers).
    ExtraTokens,
    /// Both names have parts the other lacks; lowers the score.
    ConflictingTokens,
}

impl MatchRule {
    /// Short human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Self::ExactAfterNormalization => "exact after normalization",
            Self::CaseAccentsPunctuation => "case/accents/punctuation",
            Self::Transliteration => "transliteration",
            Self::TitleDropped => "title dropped",
            Self::SuffixDropped => "suffix dropped",
            Self::LegalFormMismatch => "legal form mismatch",
            Self::TokenReorder => "token reorder",
            Self::Nickname => "nickname",
            Self::Initials => "initials",
            Self::Acronym => "acronym",
            Self::Phonetic => "phonetic",
            Self::EditDistance => "edit distance",
            Self::TokenJoin => "token join/split",
            Self::ExtraTokens => "extra tokens",
            Self::ConflictingTokens => "conflicting tokens",
        }
    }
}

/// Two aligned tokens and why they were aligned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenMatch {
    /// Token of the first name.
    pub left: String,
    /// Token of the second name.
    pub right: String,
    /// Credit in [0,1] given to this pair.
    pub similarity: f64,
    /// The rule that aligned them.
    pub rule: MatchRule,
}

/// A score in [0,1] with the rules that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchExplanation {
    /// Similarity in [0,1]; 1 means the same name after normalization.
    pub score: f64,
    /// Rules that fired, sorted and deduplicated.
    pub rules: Vec<MatchRule>,
    /// Aligned token pairs.
    pub pairs: Vec<TokenMatch>,
    /// Tokens of the first name left unmatched.
    pub unmatched_left: Vec<String>,
    /// Tokens of the second name left unmatched.
    pub unmatched_right: Vec<String>,
}

impl MatchExplanation {
    /// True when the score reaches `threshold`.
    pub fn is_match(&self, threshold: f64) -> bool {
        self.score >= threshold
    }

    fn none() -> Self {
        Self {
            score: 0.0,
            rules: Vec::new(),
            pairs: Vec::new(),
            unmatched_left: Vec::new(),
            unmatched_right: Vec::new(),
        }
    }
}

impl fmt::Display for MatchExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}", self.score)?;
        let labels: Vec<&str> = self.rules.iter().map(|r| r.label()).collect();
        if !labels.is_empty() {
            write!(f, " [{}]", labels.join(", "))?;
        }
        for p in &self.pairs {
            if p.rule != MatchRule::ExactAfterNormalization {
                write!(f, " {}~{}({})", p.left, p.right, p.rule.label())?;
            }
        }
        Ok(())
    }
}

/// Scores two raw names. `kind` is an optional schema hint ([`NameKind::Unknown`] when not known).
pub fn score_names(a: &str, b: &str, kind: NameKind) -> MatchExplanation {
    let na = normalize(a, kind);
    let nb = normalize(b, kind);
    score_normalized(&na, &nb)
}

/// Particles that link name parts; they carry little identity and have spelling variants.
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ur", "ad", "bin", "ben", "ibn", "bint", "binti", "de", "da", "del", "della",
    "der", "den", "di", "du", "dos", "das", "van", "von", "la", "le", "na", "y", "e", "of", "and",
    "ter", "te", "mac", "st",
];

/// Particles that are spelling variants of each other.
const PARTICLE_EQUIVALENTS: &[&[&str]] =
    &[&["bin", "ben", "ibn", "bint", "binti"], &["al", "el", "ul"], &["van", "von"]];

/// Words so common in organization names that they identify little on their own.
const ORG_GENERIC: &[&str] = &[
    "bank",
    "banking",
    "group",
    "holding",
    "holdings",
    "international",
    "capital",
    "partners",
    "fund",
    "trust",
    "industries",
    "industry",
    "solutions",
    "services",
    "service",
    "global",
    "management",
    "business",
    "enterprises",
    "enterprise",
    "trading",
    "systems",
    "technologies",
    "technology",
    "investments",
    "investment",
    "foundation",
    "association",
    "organization",
    "organisation",
    "national",
    "general",
    "company",
    "corporation",
    "securities",
    "financial",
    "finance",
    "insurance",
    "energy",
    "resources",
    "development",
    "consulting",
    "ventures",
    "limited",
    "media",
    "logistics",
    "products",
    "properties",
    "realty",
    "associates",
];

fn is_particle(t: &str) -> bool {
    PARTICLES.contains(&t)
}

fn particles_equivalent(a: &str, b: &str) -> bool {
    PARTICLE_EQUIVALENTS.iter().any(|g| g.contains(&a) && g.contains(&b))
}

fn token_weight(t: &str, org: bool) -> f64 {
    if is_particle(t) {
        0.3
    } else if t.bytes().all(|b| b.is_ascii_digit()) || (org && ORG_GENERIC.contains(&t)) {
        // Numbers and generic business words tell entities apart only a little.
        0.5
    } else if t.len() == 1 {
        0.7
    } else {
        (t.len() as f64).sqrt().min(3.2)
    }
}

fn collapse_doubles(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut last = None;
    for c in t.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

fn phonetic_codes(t: &str) -> (String, String) {
    let dm = DoubleMetaphone::new(Some(6));
    let r = dm.double_metaphone(t);
    (r.primary(), r.alternate())
}

/// Primary Double Metaphone code of a token (empty for tokens without consonant sounds).
pub fn phonetic_key(t: &str) -> String {
    phonetic_codes(t).0
}

fn sounds_alike(a: &str, b: &str) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    let (pa, aa) = phonetic_codes(a);
    let (pb, ab) = phonetic_codes(b);
    !pa.is_empty() && (pa == pb || pa == ab || aa == pb || (aa == ab && !aa.is_empty()))
}

/// Edit-distance credit: a typo in a long token costs less than one in a short token.
fn edit_credit(a: &str, b: &str) -> f64 {
    let dl = strsim::damerau_levenshtein(a, b) as f64;
    let len = a.chars().count().max(b.chars().count()) as f64;
    let ratio = 1.0 - dl / len;
    // Names are recognised by their first letter; a different one is more than a typo.
    let first_differs = a.chars().next() != b.chars().next();
    let penalty = if first_differs { 0.1 } else { 0.0 };
    (1.0 - (1.0 - ratio) * 1.6 - penalty).max(0.0)
}

/// Similarity of two tokens in [0,1] and the rule that produced it.
pub fn token_similarity(a: &str, b: &str) -> (f64, MatchRule) {
    if a == b || particles_equivalent(a, b) {
        return (1.0, MatchRule::ExactAfterNormalization);
    }
    if variants::are_variants(a, b) {
        return (0.95, MatchRule::Nickname);
    }
    let (la, lb) = (a.len(), b.len());
    if la == 1 || lb == 1 {
        let initial_of = |i: &str, full: &str| full.starts_with(i) && full.len() > 1;
        if initial_of(a, b) || initial_of(b, a) {
            return (0.9, MatchRule::Initials);
        }
        return (0.0, MatchRule::ConflictingTokens);
    }
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if digits(a) || digits(b) {
        // Numbers identify series and vintages: close is not the same.
        return (0.0, MatchRule::ConflictingTokens);
    }
    if collapse_doubles(a) == collapse_doubles(b) {
        return (0.95, MatchRule::EditDistance);
    }
    if la >= 4 && a.chars().rev().eq(b.chars()) {
        return (0.9, MatchRule::EditDistance);
    }
    let mut best = (edit_credit(a, b), MatchRule::EditDistance);
    if la >= 6 && lb >= 6 && la.abs_diff(lb) <= 1 {
        // Jaro-Winkler forgives transposed syllables in long tokens that edit distance punishes.
        let jw = strsim::jaro_winkler(a, b);
        let jw_credit = (1.0 - (1.0 - jw) * 3.0).max(0.0);
        if jw_credit > best.0 {
            best = (jw_credit, MatchRule::EditDistance);
        }
    }
    // Sounding alike only counts for tokens that are also spelled roughly alike: Double Metaphone
    // alone confuses short, unrelated names ("Vita" and "Fuad").
    if best.0 < 0.85 && best.0 >= 0.2 && sounds_alike(a, b) {
        best = (0.85, MatchRule::Phonetic);
    }
    best
}

/// Minimum credit for two tokens to be aligned at all.
const PAIR_MIN: f64 = 0.5;

/// Joins runs of 2-3 adjacent tokens of `x` when the joined word matches a token of `y`
/// ("patr ushev" -> "patrushev"). Returns whether anything was joined.
fn join_split_words(x: &mut Vec<String>, y: &[String]) -> bool {
    let mut joined_any = false;
    let mut i = 0;
    while i + 1 < x.len() {
        let mut joined = false;
        for span in (2..=3).rev() {
            if i + span > x.len() {
                continue;
            }
            let parts = &x[i..i + span];
            if parts.iter().any(|p| y.contains(p) && p.len() > 2) {
                continue;
            }
            let concat: String = parts.concat();
            if concat.len() < 5 {
                continue;
            }
            let fits = y.iter().any(|t| {
                t.len() >= 5
                    && (*t == concat
                        || variants::are_variants(t, &concat)
                        || edit_credit(t, &concat) >= 0.8)
            });
            if fits {
                x.splice(i..i + span, [concat]);
                joined = true;
                joined_any = true;
                break;
            }
        }
        if !joined {
            i += 1;
        }
    }
    joined_any
}

/// Replaces a run of words in `y` by a token of `x` that is their initials ("us" for "united states").
fn expand_initialisms(x: &[String], y: &mut Vec<String>) -> bool {
    let mut changed = false;
    for t in x {
        let n = t.len();
        if !(2..=5).contains(&n) || !t.bytes().all(|b| b.is_ascii_alphabetic()) || y.contains(t) {
            continue;
        }
        let run = (0..=y.len().saturating_sub(n)).find(|&start| {
            y.len() >= n
                && y[start..start + n]
                    .iter()
                    .zip(t.bytes())
                    .all(|(w, c)| w.len() > 1 && w.as_bytes()[0] == c)
        });
        if let Some(start) = run {
            y.splice(start..start + n, [t.clone()]);
            changed = true;
        }
    }
    changed
}

/// The acronym rule: one name is a single token made of the initials of the other's words.
fn is_acronym_of(acronym: &[String], words: &[String]) -> bool {
    if acronym.len() != 1 || words.len() < 2 {
        return false;
    }
    let a = &acronym[0];
    let initials: String = words.iter().filter_map(|w| w.chars().next()).collect();
    let initials_no_particles: String =
        words.iter().filter(|w| !is_particle(w)).filter_map(|w| w.chars().next()).collect();
    a.len() >= 2 && (*a == initials || *a == initials_no_particles)
}

/// Scores two normalized names. Symmetric: `score_normalized(a, b).score == score_normalized(b, a).score`.
pub fn score_normalized(a: &NormalizedName, b: &NormalizedName) -> MatchExplanation {
    // Score in a canonical order so the greedy alignment cannot depend on argument order.
    if (&a.tokens, a.legal_forms) > (&b.tokens, b.legal_forms) {
        let mut e = score_ordered(b, a);
        std::mem::swap(&mut e.unmatched_left, &mut e.unmatched_right);
        for p in &mut e.pairs {
            std::mem::swap(&mut p.left, &mut p.right);
        }
        return e;
    }
    score_ordered(a, b)
}

fn score_ordered(a: &NormalizedName, b: &NormalizedName) -> MatchExplanation {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        return MatchExplanation::none();
    }
    let org = a.kind == NameKind::Organization || b.kind == NameKind::Organization;
    let mut rules = Vec::new();
    if a.original != b.original && !a.original.is_empty() && !b.original.is_empty() {
        rules.push(MatchRule::CaseAccentsPunctuation);
    }
    if a.transliterated != b.transliterated {
        rules.push(MatchRule::Transliteration);
    }
    if a.titles != b.titles {
        rules.push(MatchRule::TitleDropped);
    }
    if a.legal_forms != b.legal_forms {
        rules.push(MatchRule::SuffixDropped);
    }
    let generic = generic_company_bit();
    let (fa, fb) = (a.legal_forms & !generic, b.legal_forms & !generic);
    let legal_factor = if fa != 0 && fb != 0 && fa & fb == 0 {
        rules.push(MatchRule::LegalFormMismatch);
        0.85
    } else {
        1.0
    };

    let mut ta = a.tokens.clone();
    let mut tb = b.tokens.clone();
    let mut sa = ta.clone();
    let mut sb = tb.clone();
    sa.sort();
    sb.sort();
    if sa == sb {
        rules.push(MatchRule::ExactAfterNormalization);
        if ta != tb {
            rules.push(MatchRule::TokenReorder);
        }
        let pairs = ta
            .iter()
            .map(|t| TokenMatch {
                left: t.clone(),
                right: t.clone(),
                similarity: 1.0,
                rule: MatchRule::ExactAfterNormalization,
            })
            .collect();
        return finish(legal_factor, rules, pairs, Vec::new(), Vec::new());
    }

    if is_acronym_of(&ta, &tb) || is_acronym_of(&tb, &ta) {
        rules.push(MatchRule::Acronym);
        let pair = TokenMatch {
            left: ta.join(" "),
            right: tb.join(" "),
            similarity: 0.85,
            rule: MatchRule::Acronym,
        };
        return finish(0.85 * legal_factor, rules, vec![pair], Vec::new(), Vec::new());
    }

    let expanded_b = expand_initialisms(&ta, &mut tb);
    let expanded_a = expand_initialisms(&tb, &mut ta);
    if expanded_a || expanded_b {
        rules.push(MatchRule::Acronym);
    }
    let joined_a = join_split_words(&mut ta, &tb);
    let joined_b = join_split_words(&mut tb, &ta);
    if joined_a || joined_b {
        rules.push(MatchRule::TokenJoin);
    }

    // Greedy alignment on the similarity matrix, best pairs first.
    let mut cells = Vec::with_capacity(ta.len() * tb.len());
    for (i, x) in ta.iter().enumerate() {
        for (j, y) in tb.iter().enumerate() {
            let (sim, rule) = token_similarity(x, y);
            if sim >= PAIR_MIN {
                cells.push((sim, i, j, rule));
            }
        }
    }
    cells.sort_by(|p, q| q.0.total_cmp(&p.0).then((p.1, p.2).cmp(&(q.1, q.2))));
    let mut used_a = vec![false; ta.len()];
    let mut used_b = vec![false; tb.len()];
    let mut pairs = Vec::new();
    let mut aligned = Vec::new();
    let (mut num, mut den) = (0.0, 0.0);
    for (sim, i, j, rule) in cells {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        let w = (token_weight(&ta[i], org) + token_weight(&tb[j], org)) / 2.0;
        num += w * sim;
        den += w;
        aligned.push((i, j));
        if rule != MatchRule::ExactAfterNormalization {
            rules.push(rule);
        }
        pairs.push(TokenMatch { left: ta[i].clone(), right: tb[j].clone(), similarity: sim, rule });
    }
    let mut sorted_by_left = aligned.clone();
    sorted_by_left.sort();
    if sorted_by_left.windows(2).any(|w| w[0].1 > w[1].1) {
        rules.push(MatchRule::TokenReorder);
    }

    let unmatched = |tokens: &[String], used: &[bool]| -> Vec<String> {
        tokens.iter().zip(used).filter(|(_, u)| !**u).map(|(t, _)| t.clone()).collect()
    };
    let unmatched_a = unmatched(&ta, &used_a);
    let unmatched_b = unmatched(&tb, &used_b);
    let ua: f64 = unmatched_a.iter().map(|t| token_weight(t, org)).sum();
    let ub: f64 = unmatched_b.iter().map(|t| token_weight(t, org)).sum();
    if pairs.is_empty() {
        return MatchExplanation {
            score: 0.0,
            rules,
            pairs,
            unmatched_left: unmatched_a,
            unmatched_right: unmatched_b,
        };
    }
    if ua > 0.0 && ub > 0.0 {
        // Both names have parts the other lacks: likely different people or entities.
        rules.push(MatchRule::ConflictingTokens);
        den += ua + ub;
    } else if ua > 0.0 || ub > 0.0 {
        // One name is a fuller form of the other. A name matched on a single token is weak evidence.
        rules.push(MatchRule::ExtraTokens);
        let extra_factor = if org {
            0.6
        } else if pairs.len() == 1 {
            0.7
        } else {
            0.2
        };
        den += extra_factor * (ua + ub);
    }
    let score = if den > 0.0 { num / den } else { 0.0 };
    finish(score * legal_factor, rules, pairs, unmatched_a, unmatched_b)
}

fn finish(
    score: f64,
    mut rules: Vec<MatchRule>,
    pairs: Vec<TokenMatch>,
    unmatched_left: Vec<String>,
    unmatched_right: Vec<String>,
) -> MatchExplanation {
    rules.sort();
    rules.dedup();
    MatchExplanation { score: score.clamp(0.0, 1.0), rules, pairs, unmatched_left, unmatched_right }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(a: &str, b: &str, expected: Expect) {
        expected.assert_eq(&score_names(a, b, NameKind::Unknown).to_string());
    }

    #[test]
    fn identical_names_score_one() {
        check("John Smith", "John Smith", expect![[r#"1.000 [exact after normalization]"#]]);
    }

    #[test]
    fn reordered_and_comma_names() {
        check(
            "Smith, John",
            "John Smith",
            expect![[
                r#"1.000 [exact after normalization, case/accents/punctuation, token reorder]"#
            ]],
        );
    }

    #[test]
    fn nickname() {
        check(
            "Bill Gates",
            "William Gates",
            expect!["0.975 [case/accents/punctuation, nickname] bill~william(nickname)"],
        );
    }

    #[test]
    fn initials() {
        check(
            "J. R. Smith",
            "John Robert Smith",
            expect![
                "0.943 [case/accents/punctuation, initials] j~john(initials) r~robert(initials)"
            ],
        );
    }

    #[test]
    fn phonetic() {
        check(
            "Jon Mosk",
            "John Musk",
            expect![
                "0.898 [case/accents/punctuation, nickname, phonetic] jon~john(nickname) mosk~musk(phonetic)"
            ],
        );
    }

    #[test]
    fn suffix_dropped_and_mismatched() {
        check(
            "Acme Holdings Inc.",
            "ACME HOLDINGS",
            expect![[
                r#"1.000 [exact after normalization, case/accents/punctuation, suffix dropped]"#
            ]],
        );
        check(
            "Deutsche Bank AG",
            "Deutsche Bank GmbH",
            expect![[
                r#"0.850 [exact after normalization, case/accents/punctuation, suffix dropped, legal form mismatch]"#
            ]],
        );
    }

    #[test]
    fn edit_distance_and_join() {
        check(
            "Vladmir Putin",
            "Vladimir Putin",
            expect!["0.917 [case/accents/punctuation, phonetic] vladmir~vladimir(phonetic)"],
        );
        check(
            "SergeiLavrov",
            "Sergei Lavrov",
            expect!["1.000 [case/accents/punctuation, token join/split]"],
        );
    }

    #[test]
    fn different_surnames_conflict() {
        check(
            "Saddam Hussein al-Dulaimi",
            "Saddam Hussein al-Tikriti",
            expect!["0.505 [case/accents/punctuation, conflicting tokens]"],
        );
    }

    #[test]
    fn acronym() {
        check(
            "PLA",
            "People's Liberation Army",
            expect![
                "0.850 [case/accents/punctuation, acronym] pla~people liberation army(acronym)"
            ],
        );
    }

    #[test]
    fn empty_names_score_zero() {
        assert_eq!(score_names("", "John", NameKind::Unknown).score, 0.0);
        assert_eq!(score_names("...", "...", NameKind::Unknown).score, 0.0);
    }
}
