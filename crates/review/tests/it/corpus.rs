//! The corpus suite: threading and dedup over the shared real data sets, skipped loudly when absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use review::dedup::{DedupItem, DedupScope, deduplicate};
use review::threading::{Email, InclusiveReason, thread};

/// `LAWDESK_SHARED_DATA`, else `<workspace>/../shared/data`; `None` (after saying so) when absent.
fn shared_data(relative: &str) -> Option<PathBuf> {
    let base = std::env::var_os("LAWDESK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = base.join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("SKIPPED (corpus suite): {} not found", path.display());
        None
    }
}

#[test]
fn threads_the_fedora_devel_list_thread_sets() {
    let Some(root) = shared_data("review/threading") else { return };
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("threading folder is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(!folders.is_empty(), "no thread sets under {}", root.display());
    for folder in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("thread set is readable")
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let emails: Vec<Email> = files
            .iter()
            .map(|f| {
                Email::from_raw(&String::from_utf8_lossy(
                    &std::fs::read(f).expect("message is readable"),
                ))
            })
            .collect();
        let threading = thread(&emails);
        let inclusive = threading.emails.iter().filter(|e| e.inclusive.is_some()).count();
        let by_subject = threading.emails.iter().filter(|e| e.joined_by_subject).count();
        let max_depth = threading.emails.iter().map(|e| e.depth).max().unwrap_or(0);
        eprintln!(
            "{}: {} emails, {} threads, max depth {max_depth}, {inclusive} inclusive, {by_subject} joined by subject",
            folder.display(),
            emails.len(),
            threading.threads.len(),
        );
        eprint!("{}", threading.render(&emails));

        assert!(
            emails.iter().all(|e| e.message_id.is_some()),
            "every list message has a Message-ID"
        );
        assert!(!threading.threads.is_empty() && threading.threads.len() <= emails.len());
        // A mailing-list thread set is, by construction, conversations rather than lone posts.
        assert!(threading.threads.len() < emails.len(), "replies must join their threads");
        let index_of: BTreeMap<&str, usize> = emails
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.message_id.as_deref()?, i)))
            .collect();
        for (i, email) in emails.iter().enumerate() {
            // A reply whose parent is in the set hangs under exactly that parent.
            if let Some(&parent) =
                email.in_reply_to.first().and_then(|id| index_of.get(id.as_str()))
            {
                assert_eq!(
                    threading.emails[i].parent,
                    Some(parent),
                    "parent of {}",
                    files[i].display()
                );
            }
            if threading.emails[i].children.is_empty() {
                assert_eq!(threading.emails[i].inclusive, Some(InclusiveReason::Leaf));
            }
        }
        assert!(inclusive < emails.len(), "some quoted message must be skippable");
    }
}

#[test]
fn dedup_reproduces_the_freeeed_md5_duplicates_and_threads_its_emails() {
    let Some(path) = shared_data("review/enron-freeeed/load-no-text.csv") else { return };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'|')
        .quoting(false)
        .from_path(&path)
        .expect("load file opens");
    let headers = reader.headers().expect("header row").clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"))
    };
    let (upi, custodian, source, hash, master) = (
        column("UPI"),
        column("Custodian"),
        column("Source Path"),
        column("Hash"),
        column("master_duplicate"),
    );
    let (message_id, references, subject, from, to, cc) = (
        column("message_id"),
        column("references"),
        column("Subject"),
        column("From"),
        column("To"),
        column("CC"),
    );
    let mut items = Vec::new();
    let mut freeeed_masters = BTreeMap::new();
    let mut emails = Vec::new();
    for record in reader.records() {
        let record = record.expect("well-formed row");
        // The custodian column is empty in this export; the top folder of the source path stands in.
        let custodian_name = match record[custodian].trim() {
            "" => record[source].split('/').next().unwrap_or_default().to_string(),
            name => name.to_string(),
        };
        items.push(DedupItem {
            id: record[upi].to_string(),
            custodian: custodian_name,
            hash: record[hash].to_lowercase(),
        });
        if !record[master].is_empty() {
            freeeed_masters.insert(record[upi].to_string(), record[master].to_string());
        }
        if !record[message_id].is_empty() {
            emails.push(Email {
                message_id: review::mail::message_ids(&record[message_id]).into_iter().next(),
                references: review::mail::message_ids(&record[references]),
                subject: record[subject].to_string(),
                from: review::mail::addresses(&record[from]),
                to: review::mail::addresses(&record[to]),
                cc: review::mail::addresses(&record[cc]),
                ..Email::default()
            });
        }
    }

    let global = deduplicate(&items, DedupScope::Global);
    eprintln!(
        "enron-freeeed: {} items, {} masters, {} duplicates in {} groups (global); FreeEed marked {}",
        items.len(),
        global.masters.len(),
        global.duplicate_of.len(),
        global.groups_with_duplicates(),
        freeeed_masters.len(),
    );
    assert_eq!(global.duplicate_of.len(), 61, "the load file's MD5 column has 61 exact duplicates");
    assert_eq!(global.masters.len() + 61, items.len());
    // Where FreeEed recorded a master, ours (smallest UPI of the group) agrees.
    for (duplicate, freeeed_master) in &freeeed_masters {
        assert_eq!(
            global.duplicate_of.get(duplicate),
            Some(freeeed_master),
            "master of {duplicate}"
        );
    }
    let per_custodian = deduplicate(&items, DedupScope::Custodian);
    eprintln!("enron-freeeed: {} duplicates within custodians", per_custodian.duplicate_of.len());
    assert!(per_custodian.duplicate_of.len() <= global.duplicate_of.len());
    let multi_custodian = global.all_custodians.values().filter(|c| c.len() > 1).count();
    eprintln!("enron-freeeed: {multi_custodian} masters held by several custodians");

    let threading = thread(&emails);
    let joined: BTreeSet<usize> =
        threading.threads.iter().filter(|t| t.members.len() > 1).map(|t| t.id).collect();
    eprintln!(
        "enron-freeeed: {} emails in {} threads ({} with more than one email), {} joined by subject",
        emails.len(),
        threading.threads.len(),
        joined.len(),
        threading.emails.iter().filter(|e| e.joined_by_subject).count(),
    );
    assert_eq!(emails.len(), 2183, "the load file lists 2,183 Message-IDs");
    assert!(threading.threads.len() < emails.len() && !joined.is_empty());
}

#[test]
fn near_duplicates_of_the_freeeed_texts_are_not_glued_by_the_licence_footer() {
    let Some(dir) = shared_data("review/enron-freeeed/text") else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("text folder is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).expect("text is readable")).into_owned())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let outcome =
        review::neardup::near_duplicates(&refs, &review::neardup::NearDupConfig::default());
    let grouped: usize = outcome.groups.iter().map(|g| g.members.len() + 1).sum();
    let footer_only = texts
        .iter()
        .filter(|t| {
            let words = review::text::words(t);
            words.len() < 80 && t.contains("EDRM Enron Email Data Set")
        })
        .count();
    eprintln!(
        "enron-freeeed text: {} documents, {} near-duplicate groups covering {grouped}, {} too short to compare, \
         {footer_only} short footer-dominated texts",
        texts.len(),
        outcome.groups.len(),
        outcome.too_short.len(),
    );
    // The footer alone must not make a giant group of unrelated emails.
    let largest = outcome.groups.iter().map(|g| g.members.len() + 1).max().unwrap_or(0);
    if let Some(group) = outcome.groups.iter().max_by_key(|g| g.members.len()) {
        let name = |i: usize| {
            files[i].file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        };
        let sample: Vec<String> = group
            .members
            .iter()
            .take(3)
            .map(|m| format!("{} ({:.2})", name(m.doc), m.similarity))
            .collect();
        eprintln!(
            "enron-freeeed text: largest group {largest}, pivot {}, e.g. {}",
            name(group.pivot),
            sample.join(", ")
        );
    }
    assert!(largest < 100, "a group of {largest} suggests boilerplate glue");
    assert!(outcome.too_short.len() >= footer_only / 2);
}
