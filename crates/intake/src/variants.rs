//! Embedded table of given-name variants: nicknames (Bill/William) and transliterations (Usama/Osama).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("data/name_variants.txt");

/// Name -> ids of the groups it belongs to. A name can be in several groups ("al").
fn groups() -> &'static HashMap<&'static str, Vec<u16>> {
    static GROUPS: OnceLock<HashMap<&'static str, Vec<u16>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<u16>> = HashMap::new();
        let lines = TABLE.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        for (group, line) in lines.enumerate() {
            let group =
                u16::try_from(group).expect("the variant table has fewer than 65536 groups");
            for name in line.split_whitespace() {
                let ids = map.entry(name).or_default();
                if !ids.contains(&group) {
                    ids.push(group);
                }
            }
        }
        map
    })
}

/// The canonical (first) name of every group, by group id.
fn canonicals() -> &'static Vec<&'static str> {
    static CANON: OnceLock<Vec<&'static str>> = OnceLock::new();
    CANON.get_or_init(|| {
        TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().next().expect("non-empty line has a first word"))
            .collect()
    })
}

/// True when the two names are variants of one another (and not the same string).
pub fn are_variants(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let table = groups();
    match (table.get(a), table.get(b)) {
        (Some(ga), Some(gb)) => ga.iter().any(|g| gb.contains(g)),
        _ => false,
    }
}

/// Canonical forms of the groups a name belongs to ("bill" -> ["william"]); empty when unknown.
pub fn canonical_forms(name: &str) -> Vec<&'static str> {
    let canon = canonicals();
    groups()
        .get(name)
        .map(|ids| ids.iter().map(|id| canon[usize::from(*id)]).collect())
        .unwrap_or_default()
}

/// Number of variant groups in the embedded table.
pub fn group_count() -> usize {
    canonicals().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_and_transliterations_are_variants() {
        assert!(are_variants("bill", "william"));
        assert!(are_variants("william", "bill"));
        assert!(are_variants("bob", "robert"));
        assert!(are_variants("liz", "elizabeth"));
        assert!(are_variants("usama", "osama"));
        assert!(!are_variants("bill", "robert"));
        assert!(!are_variants("bill", "bill"));
        assert!(!are_variants("zzz", "bill"));
    }

    #[test]
    fn ambiguous_nicknames_belong_to_several_groups() {
        let forms = canonical_forms("al");
        assert!(
            forms.contains(&"albert") && forms.contains(&"alfred") && forms.contains(&"alexander")
        );
    }

    #[test]
    fn table_has_a_few_hundred_groups() {
        assert!(group_count() > 200, "{}", group_count());
    }
}
