//! Batching: split a large work item into batches of about N units for an LPO manager, keeping families whole.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One unit of work (a document, a record …), optionally in a family (an email and its attachments, a patent
/// family) that must be reviewed together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchUnit {
    pub id: String,
    pub family_id: Option<String>,
}

/// A batch: 1-based number and the unit ids in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub number: usize,
    pub unit_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("batch size must be at least 1")]
    ZeroBatchSize,
}

/// Split units into batches of at most `batch_size`, never splitting a family. Families are gathered even when
/// their members are not adjacent in the input, and placed where their first member appears. A family larger than
/// `batch_size` becomes a batch of its own (bigger than N) because splitting it would break review consistency.
pub fn split_into_batches(
    units: &[BatchUnit],
    batch_size: usize,
) -> Result<Vec<Batch>, BatchError> {
    if batch_size == 0 {
        return Err(BatchError::ZeroBatchSize);
    }
    // Group in order of first appearance; a unit without a family is its own group.
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut family_group: BTreeMap<&str, usize> = BTreeMap::new();
    for unit in units {
        match &unit.family_id {
            Some(family) => match family_group.get(family.as_str()) {
                Some(&index) => groups[index].push(unit.id.clone()),
                None => {
                    family_group.insert(family, groups.len());
                    groups.push(vec![unit.id.clone()]);
                }
            },
            None => groups.push(vec![unit.id.clone()]),
        }
    }
    let mut batches: Vec<Batch> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for group in groups {
        if !current.is_empty() && current.len() + group.len() > batch_size {
            batches
                .push(Batch { number: batches.len() + 1, unit_ids: std::mem::take(&mut current) });
        }
        current.extend(group);
    }
    if !current.is_empty() {
        batches.push(Batch { number: batches.len() + 1, unit_ids: current });
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unit(id: usize, family: Option<usize>) -> BatchUnit {
        BatchUnit { id: format!("d{id}"), family_id: family.map(|f| format!("f{f}")) }
    }

    #[test]
    fn fifty_thousand_documents_in_batches_of_500_with_families() {
        // Every 10th document starts a family of 4 (an email and three attachments).
        let units: Vec<BatchUnit> =
            (0..50_000).map(|i| unit(i, (i % 10 < 4).then_some(i / 10))).collect();
        let batches = split_into_batches(&units, 500).expect("valid size");
        assert_eq!(batches.len(), 100);
        assert!(batches.iter().all(|b| b.unit_ids.len() == 500));
        assert_eq!(split_into_batches(&units, 0), Err(BatchError::ZeroBatchSize));
    }

    #[test]
    fn oversized_family_gets_its_own_batch_and_scattered_families_are_gathered() {
        let units = vec![
            unit(1, None),
            unit(2, Some(7)),
            unit(3, None),
            unit(4, Some(7)),
            unit(5, Some(7)),
            unit(6, None),
        ];
        let batches = split_into_batches(&units, 2).expect("valid size");
        let ids: Vec<Vec<&str>> =
            batches.iter().map(|b| b.unit_ids.iter().map(String::as_str).collect()).collect();
        assert_eq!(ids, vec![vec!["d1"], vec!["d2", "d4", "d5"], vec!["d3", "d6"]]);
    }

    proptest! {
        #[test]
        fn families_stay_whole_and_nothing_is_lost(
            families in prop::collection::vec(prop::option::of(0usize..30), 0..300),
            size in 1usize..40,
        ) {
            let units: Vec<BatchUnit> = families.iter().enumerate().map(|(i, f)| unit(i, *f)).collect();
            let batches = split_into_batches(&units, size).expect("valid size");
            let mut seen: Vec<String> = batches.iter().flat_map(|b| b.unit_ids.clone()).collect();
            prop_assert_eq!(seen.len(), units.len());
            seen.sort();
            let mut expected: Vec<String> = units.iter().map(|u| u.id.clone()).collect();
            expected.sort();
            prop_assert_eq!(seen, expected);
            let family_of: BTreeMap<&str, &Option<String>> = units.iter().map(|u| (u.id.as_str(), &u.family_id)).collect();
            let mut batch_of_family: BTreeMap<String, usize> = BTreeMap::new();
            for batch in &batches {
                let mut families_here = std::collections::BTreeSet::new();
                for id in &batch.unit_ids {
                    if let Some(family) = family_of[id.as_str()] {
                        families_here.insert(family.clone());
                        let previous = batch_of_family.insert(family.clone(), batch.number);
                        prop_assert!(previous.is_none_or(|n| n == batch.number), "family {family} split");
                    }
                }
                // Only a batch holding a single oversized family may exceed the size.
                prop_assert!(batch.unit_ids.len() <= size || families_here.len() == 1);
            }
        }
    }
}
