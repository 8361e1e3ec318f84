//! Hashing and exact de-duplication: MD5 / SHA-1 of natives, an email identity hash over normalized
//! headers and body, and grouping of items into masters and duplicates per custodian or across the matter.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

/// Lowercase hex MD5 of a native file (the hash most load files carry).
pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// Lowercase hex SHA-1 of a native file.
pub fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// The parts of an email that decide whether two copies are the same message.
#[derive(Debug, Clone, Default)]
pub struct EmailIdentity<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub cc: &'a str,
    pub bcc: &'a str,
    pub subject: &'a str,
    pub date: Option<DateTime<Utc>>,
    pub message_id: &'a str,
    pub body: &'a str,
}

impl<'a> EmailIdentity<'a> {
    /// Reads the identity from parsed headers (address headers as raw values) and the body text.
    pub fn from_headers(headers: &'a crate::mail::Headers, body: &'a str) -> Self {
        let get = |name| headers.get(name).unwrap_or("");
        EmailIdentity {
            from: get("From"),
            to: get("To"),
            cc: get("Cc"),
            bcc: get("Bcc"),
            subject: get("Subject"),
            date: headers.get("Date").and_then(crate::mail::parse_date),
            message_id: get("Message-ID"),
            body,
        }
    }
}

/// Hex SHA-256 over the normalized identity of an email: addresses of From/To/Cc/Bcc lowercased and sorted
/// (display names dropped), Subject with whitespace folded, Date in UTC to the second, Message-ID without
/// brackets, and the whitespace-normalized body.
///
/// Headers carry most of the identity on purpose: in real collections many bodies are empty or a shared
/// footer (1,643 Enron emails are only the EDRM licence text), and a body-only hash would merge them all.
pub fn email_dedup_hash(email: &EmailIdentity<'_>) -> String {
    let mut hasher = Sha256::new();
    let mut put = |label: &str, value: &str| {
        // Length-prefixed fields, so text can never slide from one field into the next.
        for part in [label, value] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    };
    for (label, value) in
        [("from", email.from), ("to", email.to), ("cc", email.cc), ("bcc", email.bcc)]
    {
        let mut list = crate::mail::addresses(value);
        list.sort();
        put(label, &list.join("\n"));
    }
    put("subject", &crate::text::fold_whitespace(email.subject));
    let date = email.date.map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default();
    put("date", &date);
    let ids = crate::mail::message_ids(email.message_id);
    put("message-id", &ids.join(" "));
    put("body", &crate::text::fold_whitespace(email.body));
    hex::encode(hasher.finalize())
}

/// One item to de-duplicate: its id (the master of a group is the smallest id), custodian and hash.
#[derive(Debug, Clone)]
pub struct DedupItem<Id> {
    pub id: Id,
    pub custodian: String,
    pub hash: String,
}

/// Whether duplicates are suppressed within each custodian only, or across the whole matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupScope {
    Custodian,
    Global,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupOutcome<Id: Ord> {
    /// Items to review, in id order.
    pub masters: Vec<Id>,
    /// Each suppressed item and its master.
    pub duplicate_of: BTreeMap<Id, Id>,
    /// For every master, the sorted custodians holding a copy (the ALLCUSTODIANS field of a production).
    pub all_custodians: BTreeMap<Id, Vec<String>>,
}

impl<Id: Ord> DedupOutcome<Id> {
    /// Number of masters that have at least one duplicate.
    pub fn groups_with_duplicates(&self) -> usize {
        self.duplicate_of.values().collect::<BTreeSet<_>>().len()
    }
}

/// Groups items by hash (and custodian, for [`DedupScope::Custodian`]). The master of each group is its
/// smallest id, so the result does not depend on input order. Items with an empty hash are never
/// duplicates: an unhashable item must not vanish from review.
pub fn deduplicate<Id: Ord + Clone>(
    items: &[DedupItem<Id>],
    scope: DedupScope,
) -> DedupOutcome<Id> {
    let mut groups: BTreeMap<(&str, &str), Vec<&DedupItem<Id>>> = BTreeMap::new();
    let mut singles = Vec::new();
    for item in items {
        if item.hash.is_empty() {
            singles.push(item);
            continue;
        }
        let custodian = match scope {
            DedupScope::Custodian => item.custodian.as_str(),
            DedupScope::Global => "",
        };
        groups.entry((custodian, item.hash.as_str())).or_default().push(item);
    }
    let mut outcome = DedupOutcome {
        masters: Vec::new(),
        duplicate_of: BTreeMap::new(),
        all_custodians: BTreeMap::new(),
    };
    for group in groups.values() {
        let master = group.iter().map(|i| &i.id).min().expect("groups are never empty");
        for item in group.iter().filter(|i| &i.id != master) {
            outcome.duplicate_of.insert(item.id.clone(), master.clone());
        }
        let custodians: BTreeSet<&str> = group.iter().map(|i| i.custodian.as_str()).collect();
        outcome
            .all_custodians
            .insert(master.clone(), custodians.into_iter().map(str::to_string).collect());
        outcome.masters.push(master.clone());
    }
    for item in singles {
        outcome.masters.push(item.id.clone());
        outcome.all_custodians.insert(item.id.clone(), vec![item.custodian.clone()]);
    }
    outcome.masters.sort();
    // Two items sharing an id (a caller bug) would otherwise produce a master listed twice.
    outcome.masters.dedup();
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_hashes() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    fn email<'a>(to: &'a str, subject: &'a str, date: &str, body: &'a str) -> EmailIdentity<'a> {
        EmailIdentity {
            from: "Ken Lay <KLay@enron.com>",
            to,
            subject,
            date: crate::mail::parse_date(date),
            message_id: "<1@enron.com>",
            body,
            ..Default::default()
        }
    }

    #[test]
    fn email_hash_normalizes_headers_and_body() {
        let a = email_dedup_hash(&email(
            "a@x.com, \"B\" <b@x.com>",
            "Raptor  update",
            "Mon, 14 May 2001 16:39:00 -0700 (PDT)",
            "Hello\r\n  world",
        ));
        let b = email_dedup_hash(&email(
            "B@X.com,a@x.com",
            "Raptor update",
            "Mon, 14 May 2001 23:39:00 +0000",
            "Hello world\n",
        ));
        assert_eq!(a, b);
        let other_day = email_dedup_hash(&email(
            "a@x.com, b@x.com",
            "Raptor update",
            "Tue, 15 May 2001 23:39:00 +0000",
            "Hello world",
        ));
        assert_ne!(a, other_day);
        // Bodies that are only a shared footer still differ by their headers.
        let footer = "EDRM Enron Email Data Set has been produced in EML, PST and NSF format by ZL Technologies";
        let x =
            email_dedup_hash(&email("a@x.com", "one", "Mon, 14 May 2001 16:39:00 -0700", footer));
        let y =
            email_dedup_hash(&email("a@x.com", "two", "Mon, 14 May 2001 16:39:00 -0700", footer));
        assert_ne!(x, y);
        // Moving text between fields changes the hash.
        let s1 = email_dedup_hash(&email("a@x.com", "ab", "", "c"));
        let s2 = email_dedup_hash(&email("a@x.com", "a", "", "bc"));
        assert_ne!(s1, s2);
    }

    #[test]
    fn identity_from_parsed_headers() {
        let raw = "Message-ID: <1@enron.com>\nFrom: Ken Lay <KLay@enron.com>\nTo: a@x.com\nSubject: Raptor update\nDate: Mon, 14 May 2001 23:39:00 +0000\n\nHello world\n";
        let (headers, body) = crate::mail::parse_message(raw);
        let parsed = email_dedup_hash(&EmailIdentity::from_headers(&headers, body));
        let built = email_dedup_hash(&email(
            "a@x.com",
            "Raptor update",
            "Mon, 14 May 2001 23:39:00 +0000",
            "Hello world",
        ));
        assert_eq!(parsed, built);
    }

    fn item(id: u32, custodian: &str, hash: &str) -> DedupItem<u32> {
        DedupItem { id, custodian: custodian.into(), hash: hash.into() }
    }

    #[test]
    fn dedup_custodian_and_global() {
        let items = vec![
            item(5, "lay", "h1"),
            item(2, "skilling", "h1"),
            item(3, "lay", "h1"),
            item(4, "lay", "h2"),
            item(1, "beck", ""),
            item(6, "beck", ""),
        ];
        let global = deduplicate(&items, DedupScope::Global);
        assert_eq!(global.masters, vec![1, 2, 4, 6]);
        assert_eq!(global.duplicate_of, [(3, 2), (5, 2)].into_iter().collect());
        assert_eq!(global.all_custodians[&2], vec!["lay", "skilling"]);
        assert_eq!(global.all_custodians[&4], vec!["lay"]);
        assert_eq!(global.groups_with_duplicates(), 1);

        let per_custodian = deduplicate(&items, DedupScope::Custodian);
        assert_eq!(per_custodian.masters, vec![1, 2, 3, 4, 6]);
        assert_eq!(per_custodian.duplicate_of, [(5, 3)].into_iter().collect());
        assert_eq!(per_custodian.all_custodians[&3], vec!["lay"]);

        let mut reversed = items.clone();
        reversed.reverse();
        assert_eq!(deduplicate(&reversed, DedupScope::Global), global);
    }
}
