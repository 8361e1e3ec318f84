//! Search-term reports: for each search term, how many hits and documents it brings in, with and without
//! families, and how many documents only it brings in (the figures negotiated with opposing counsel).

use std::collections::{BTreeMap, BTreeSet};

/// The documents one term hit, with the number of hits in each document.
#[derive(Debug, Clone)]
pub struct TermHits<Id> {
    pub term: String,
    pub hits_per_doc: BTreeMap<Id, u64>,
}

impl<Id: Ord> TermHits<Id> {
    /// For callers that only know which documents hit (one hit each).
    pub fn from_docs(term: impl Into<String>, docs: impl IntoIterator<Item = Id>) -> Self {
        TermHits { term: term.into(), hits_per_doc: docs.into_iter().map(|d| (d, 1)).collect() }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRow {
    pub term: String,
    /// Total hits over all documents.
    pub hits: u64,
    pub docs_with_hits: usize,
    /// Documents with hits plus every other member of their families.
    pub docs_with_hits_including_family: usize,
    /// Documents hit by this term and by no other term of the report.
    pub unique_hits: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTermReport {
    pub rows: Vec<TermRow>,
    /// Documents hit by any term.
    pub total_docs_with_hits: usize,
    pub total_docs_with_hits_including_family: usize,
}

/// Builds the report. `family_of` maps a document to its family id (a parent email and its attachments
/// share one); documents absent from it form a family of their own.
pub fn search_term_report<Id: Ord + Clone>(
    terms: &[TermHits<Id>],
    family_of: &BTreeMap<Id, Id>,
) -> SearchTermReport {
    let mut members: BTreeMap<&Id, Vec<&Id>> = BTreeMap::new();
    for (doc, family) in family_of {
        members.entry(family).or_default().push(doc);
    }
    let with_families = |docs: &mut dyn Iterator<Item = &Id>| -> usize {
        let mut out: BTreeSet<&Id> = BTreeSet::new();
        for doc in docs {
            out.insert(doc);
            if let Some(family) = family_of.get(doc) {
                out.insert(family);
                out.extend(members.get(family).into_iter().flatten().copied());
            }
        }
        out.len()
    };
    let mut terms_per_doc: BTreeMap<&Id, usize> = BTreeMap::new();
    for term in terms {
        for doc in term.hits_per_doc.keys() {
            *terms_per_doc.entry(doc).or_default() += 1;
        }
    }
    let rows = terms
        .iter()
        .map(|term| TermRow {
            term: term.term.clone(),
            hits: term.hits_per_doc.values().sum(),
            docs_with_hits: term.hits_per_doc.len(),
            docs_with_hits_including_family: with_families(&mut term.hits_per_doc.keys()),
            unique_hits: term
                .hits_per_doc
                .keys()
                .filter(|d| terms_per_doc.get(d) == Some(&1))
                .count(),
        })
        .collect();
    SearchTermReport {
        rows,
        total_docs_with_hits: terms_per_doc.len(),
        total_docs_with_hits_including_family: with_families(&mut terms_per_doc.keys().copied()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hits_families_and_unique_hits() {
        // Email 1 has attachments 2 and 3; email 4 has attachment 5; 6 is a loose file.
        let family_of: BTreeMap<u32, u32> =
            [(1, 1), (2, 1), (3, 1), (4, 4), (5, 4)].into_iter().collect();
        let raptor = TermHits {
            term: "raptor".into(),
            hits_per_doc: [(2, 3), (6, 1)].into_iter().collect(),
        };
        let ljm = TermHits::from_docs("ljm", [2, 5]);
        let chewco = TermHits::from_docs("chewco", Vec::new());
        let report = search_term_report(&[raptor, ljm, chewco], &family_of);
        let row = |i: usize| {
            let r = &report.rows[i];
            (
                r.term.as_str(),
                r.hits,
                r.docs_with_hits,
                r.docs_with_hits_including_family,
                r.unique_hits,
            )
        };
        assert_eq!(row(0), ("raptor", 4, 2, 4, 1)); // 2 brings in 1 and 3; 6 is alone; 2 is shared with ljm
        assert_eq!(row(1), ("ljm", 2, 2, 5, 1)); // families {1,2,3} and {4,5}
        assert_eq!(row(2), ("chewco", 0, 0, 0, 0));
        assert_eq!(report.total_docs_with_hits, 3);
        assert_eq!(report.total_docs_with_hits_including_family, 6);
    }
}
