//! Near-duplicate detection: word shingles, MinHash signatures with LSH banding for candidates, exact
//! Jaccard similarity to confirm, and pivot-based groups.
//!
//! Boilerplate is the trap of real collections: 1,643 Enron emails are nothing but the EDRM licence footer,
//! and a footer shared by two unrelated emails must not make them near-duplicates. So shingles of known
//! boilerplate texts are removed, shingles that occur in too many documents are treated as boilerplate
//! too, and a document with too little text left is excluded from grouping (exact dedup still covers it).

use std::collections::{BTreeMap, HashMap, HashSet};

/// Which document of a group is its pivot (the one the others are compared to and reviewed against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivotRule {
    /// The document with the most words (ties: the first); it is the most likely to contain the others.
    Longest,
    /// The first document in input order.
    First,
}

#[derive(Debug, Clone)]
pub struct NearDupConfig {
    /// Words per shingle.
    pub shingle_size: usize,
    /// MinHash permutations; must be a multiple of `bands`.
    pub num_perm: usize,
    /// LSH bands. 32 bands of 4 rows make a pair at Jaccard 0.8 a candidate with probability > 0.999 and
    /// one at 0.3 with probability 0.23; candidates are then confirmed exactly, so recall is what matters.
    pub bands: usize,
    /// Minimum Jaccard similarity to the pivot to join its group.
    pub threshold: f64,
    pub seed: u64,
    /// Documents with fewer distinct shingles than this (after boilerplate removal) are not grouped.
    pub min_shingles: usize,
    /// A shingle found in more than this fraction of the documents is boilerplate...
    pub boilerplate_doc_fraction: f64,
    /// ...provided it is also in more than this many documents (so small sets are never stripped).
    pub boilerplate_min_docs: usize,
    /// Known boilerplate (licence footers, disclaimers) whose shingles are always removed.
    pub boilerplate: Vec<String>,
    pub pivot: PivotRule,
}

impl Default for NearDupConfig {
    fn default() -> Self {
        NearDupConfig {
            shingle_size: 5,
            num_perm: 128,
            bands: 32,
            threshold: 0.8,
            seed: 0x6c61_7764_6573_6b21,
            min_shingles: 5,
            // High on purpose: a mass email legitimately sits in many documents, and stripping its text
            // would hide the very near-duplicates we look for.
            boilerplate_doc_fraction: 0.2,
            boilerplate_min_docs: 10,
            boilerplate: Vec::new(),
            pivot: PivotRule::Longest,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NearDupMember {
    pub doc: usize,
    /// Jaccard similarity of the member's shingles to the pivot's.
    pub similarity: f64,
}

/// A pivot and the documents similar enough to it (the pivot is not repeated among `members`).
#[derive(Debug, Clone, PartialEq)]
pub struct NearDupGroup {
    pub pivot: usize,
    pub members: Vec<NearDupMember>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NearDupOutcome {
    /// Groups of two or more documents, ordered by pivot index; documents in no group are singletons.
    pub groups: Vec<NearDupGroup>,
    /// Documents with too little text besides boilerplate to be compared.
    pub too_short: Vec<usize>,
}

/// splitmix64's finalizer: a bijection on u64 with good avalanche, so `mix(x ^ seed)` acts as a seeded
/// random permutation of shingle hashes, which is what MinHash needs.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a: stable across platforms and releases (unlike std's hasher), so signatures can be persisted.
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes
        .into_iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The sorted, distinct hashes of the `k`-word shingles of `text` (normalized by [`crate::text::words`]).
/// A text shorter than `k` words yields one shingle of all its words, so short texts still compare.
pub fn shingles(text: &str, k: usize) -> Vec<u64> {
    let words = crate::text::words(text);
    let k = k.max(1);
    let hash = |window: &[String]| fnv1a(window.iter().flat_map(|w| w.bytes().chain([0x1f])));
    let mut out: Vec<u64> = if words.is_empty() {
        Vec::new()
    } else if words.len() < k {
        vec![hash(&words)]
    } else {
        words.windows(k).map(hash).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Exact Jaccard similarity of two sorted, distinct hash sets (1.0 for two empty sets).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// MinHash with deterministic seeded permutations.
#[derive(Debug, Clone)]
pub struct MinHasher {
    seeds: Vec<u64>,
}

impl MinHasher {
    pub fn new(num_perm: usize, seed: u64) -> Self {
        MinHasher { seeds: (0..num_perm as u64).map(|i| mix(seed.wrapping_add(i))).collect() }
    }

    /// The signature of a shingle set: per permutation, the minimum permuted hash (`u64::MAX` if empty).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u64> {
        self.seeds
            .iter()
            .map(|&seed| shingles.iter().map(|&s| mix(s ^ seed)).min().unwrap_or(u64::MAX))
            .collect()
    }
}

/// The fraction of agreeing signature positions: an unbiased estimate of Jaccard similarity.
pub fn estimated_similarity(a: &[u64], b: &[u64]) -> f64 {
    let len = a.len().min(b.len());
    if len == 0 {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / len as f64
}

/// Groups near-duplicate texts (indices into `texts`).
pub fn near_duplicates(texts: &[&str], config: &NearDupConfig) -> NearDupOutcome {
    let k = config.shingle_size.max(1);
    let mut sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t, k)).collect();

    let known: HashSet<u64> = config.boilerplate.iter().flat_map(|b| shingles(b, k)).collect();
    let mut doc_freq: HashMap<u64, usize> = HashMap::new();
    for set in &sets {
        for &s in set {
            *doc_freq.entry(s).or_default() += 1;
        }
    }
    let cutoff = ((config.boilerplate_doc_fraction * texts.len() as f64).ceil() as usize)
        .max(config.boilerplate_min_docs);
    for set in &mut sets {
        set.retain(|s| !known.contains(s) && doc_freq.get(s).is_none_or(|&df| df <= cutoff));
    }

    let too_short: Vec<usize> =
        (0..texts.len()).filter(|&i| sets[i].len() < config.min_shingles.max(1)).collect();
    let eligible: Vec<usize> =
        (0..texts.len()).filter(|&i| sets[i].len() >= config.min_shingles.max(1)).collect();

    let bands = config.bands.max(1);
    let rows = (config.num_perm / bands).max(1);
    let hasher = MinHasher::new(bands * rows, config.seed);
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for &doc in &eligible {
        let signature = hasher.signature(&sets[doc]);
        for (band, chunk) in signature.chunks(rows).enumerate() {
            let key = fnv1a(chunk.iter().flat_map(|v| v.to_le_bytes()));
            buckets.entry((band, key)).or_default().push(doc);
        }
    }

    // Confirmed similar pairs, each stored on both sides.
    let mut neighbors: BTreeMap<usize, Vec<(usize, f64)>> = BTreeMap::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for bucket in buckets.values().filter(|b| b.len() > 1) {
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                let pair = (a.min(b), a.max(b));
                if !seen.insert(pair) {
                    continue;
                }
                let similarity = jaccard(&sets[a], &sets[b]);
                if similarity >= config.threshold {
                    neighbors.entry(a).or_default().push((b, similarity));
                    neighbors.entry(b).or_default().push((a, similarity));
                }
            }
        }
    }

    let mut order: Vec<usize> = neighbors.keys().copied().collect();
    if config.pivot == PivotRule::Longest {
        let lengths: Vec<usize> = texts.iter().map(|t| crate::text::tokenize(t).len()).collect();
        order.sort_by_key(|&d| (std::cmp::Reverse(lengths[d]), d));
    }
    let mut assigned = vec![false; texts.len()];
    let mut groups = Vec::new();
    for pivot in order {
        if assigned[pivot] {
            continue;
        }
        let mut members: Vec<NearDupMember> = neighbors[&pivot]
            .iter()
            .filter(|(d, _)| !assigned[*d])
            .map(|&(doc, similarity)| NearDupMember { doc, similarity })
            .collect();
        if members.is_empty() {
            continue;
        }
        assigned[pivot] = true;
        for m in &members {
            assigned[m.doc] = true;
        }
        members.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.doc.cmp(&b.doc)));
        groups.push(NearDupGroup { pivot, members });
    }
    groups.sort_by_key(|g| g.pivot);
    NearDupOutcome { groups, too_short }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOOTER: &str = "*********** EDRM Enron Email Data Set has been produced in EML, PST and NSF format by ZL \
        Technologies, Inc. This Data Set is licensed under a Creative Commons Attribution 3.0 United States \
        License <http://creativecommons.org/licenses/by/3.0/us/> . To provide attribution, please cite to \
        \"ZL Technologies, Inc. (http://www.zlti.com).\" ***********";

    const MEMO: &str = "The Raptor vehicles were restructured in the first quarter after the decline in the \
        value of Enron stock reduced the credit capacity of the structures. Andersen reviewed the \
        transactions and the board approved the changes at its meeting in Houston.";

    fn summary(outcome: &NearDupOutcome) -> Vec<(usize, Vec<(usize, String)>)> {
        outcome
            .groups
            .iter()
            .map(|g| {
                (
                    g.pivot,
                    g.members.iter().map(|m| (m.doc, format!("{:.2}", m.similarity))).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn groups_edited_copies_around_the_longest_pivot() {
        let edited = MEMO.replace("Houston", "Houston last week");
        let other = "Please send the updated gas transport schedule for the Northern Natural pipeline by Friday \
            so that scheduling can confirm volumes with the counterparties before the weekend.";
        let texts = [MEMO, other, edited.as_str(), "ok thanks"];
        let outcome = near_duplicates(&texts, &NearDupConfig::default());
        assert_eq!(summary(&outcome), vec![(2, vec![(0, "0.95".to_string())])]);
        assert_eq!(outcome.too_short, vec![3]);

        let first = NearDupConfig { pivot: PivotRule::First, ..NearDupConfig::default() };
        assert_eq!(
            summary(&near_duplicates(&texts, &first)),
            vec![(0, vec![(2, "0.95".to_string())])]
        );
    }

    #[test]
    fn footer_only_documents_do_not_glue_unrelated_texts() {
        // 30 distinct short emails plus the same footer, and 20 emails that are only the footer: without
        // boilerplate handling the footer makes all of them near-duplicates of each other.
        let mut texts: Vec<String> = (0..30)
            .map(|i| {
                format!("Meeting {i} moved to room {} on floor {} {FOOTER}", i * 7 + 3, i % 5 + 10)
            })
            .collect();
        texts.extend((0..20).map(|_| FOOTER.to_string()));
        texts.push(format!("{MEMO} {FOOTER}"));
        texts.push(format!("{} {FOOTER}", MEMO.replace("Andersen", "Arthur Andersen")));
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let outcome = near_duplicates(&refs, &NearDupConfig::default());
        assert_eq!(summary(&outcome), vec![(51, vec![(50, "0.80".to_string())])]);
        assert!(outcome.too_short.contains(&30), "footer-only documents are excluded");

        // With the footer declared, the same holds on a small set where frequency cannot reveal it.
        let small = [refs[0], refs[1], refs[30], refs[31], refs[50], refs[51]];
        let declared =
            NearDupConfig { boilerplate: vec![FOOTER.to_string()], ..NearDupConfig::default() };
        assert_eq!(
            summary(&near_duplicates(&small, &declared)),
            vec![(5, vec![(4, "0.80".to_string())])]
        );
        // Undeclared, on a small set, the footer does glue them: the reason for the declared list.
        assert!(near_duplicates(&small, &NearDupConfig::default()).groups[0].members.len() > 1);
    }

    #[test]
    fn shingles_and_estimates() {
        assert_eq!(shingles("", 5), Vec::<u64>::new());
        assert_eq!(shingles("Two words", 5).len(), 1);
        assert_eq!(shingles("a b c d e f", 5).len(), 2);
        assert_eq!(shingles("A, B; C d e", 5), shingles("a b c d e", 5));
        let hasher = MinHasher::new(128, 7);
        let a = shingles(MEMO, 3);
        let b = shingles(&MEMO.replace("first quarter", "second half"), 3);
        let exact = jaccard(&a, &b);
        let estimate = estimated_similarity(&hasher.signature(&a), &hasher.signature(&b));
        assert!((exact - estimate).abs() < 0.15, "exact {exact} estimate {estimate}");
    }

    proptest::proptest! {
        #[test]
        fn identical_texts_are_fully_similar(text in "[a-z ]{1,200}", seed in 0u64..1000) {
            let hasher = MinHasher::new(64, seed);
            let a = shingles(&text, 5);
            let b = shingles(&text.clone(), 5);
            proptest::prop_assert_eq!(jaccard(&a, &b), 1.0);
            if !a.is_empty() {
                proptest::prop_assert_eq!(estimated_similarity(&hasher.signature(&a), &hasher.signature(&b)), 1.0);
            }
        }
    }
}
