//! The corpus suite for ingestion: the msg, pst, mbox, containers and threading folders of the shared
//! data process completely (every file yields its items, nothing panics), with the corrupt `.msg` as an
//! exception. Skipped loudly when the data is absent.

use review::ingest::{Item, Kind, Limits, NoExternals, expand, field};
use std::path::PathBuf;

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

/// Every file of a folder, expanded, by file name.
fn expand_folder(folder: &str) -> Option<Vec<(String, Vec<Item>)>> {
    let dir = shared_data(folder)?;
    let mut files: Vec<PathBuf> = walk(&dir);
    files.sort();
    Some(
        files
            .into_iter()
            .map(|p| {
                let name = p.strip_prefix(&dir).expect("inside").to_string_lossy().into_owned();
                let bytes = std::fs::read(&p).expect("readable corpus file");
                let items = expand(&name, bytes, "corpus", &Limits::default(), &NoExternals);
                (name, items)
            })
            .collect(),
    )
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn summary(files: &[(String, Vec<Item>)]) -> String {
    let mut out = String::new();
    for (name, items) in files {
        for i in items {
            out.push_str(&format!(
                "{name}#{} {} {:?} subject={:?} text={} exception={:?}\n",
                i.key,
                i.kind.as_str(),
                i.get(field::FILENAME).unwrap_or(""),
                i.get(field::SUBJECT).unwrap_or(""),
                i.text.len(),
                i.exception
            ));
        }
    }
    out
}

#[test]
fn corpus_msg_folder_processes_with_the_corrupt_message_as_exception() {
    let Some(files) = expand_folder("review/msg") else { return };
    eprintln!("{}", summary(&files));
    assert_eq!(files.len(), 9);
    for (name, items) in &files {
        let root = &items[0];
        assert_eq!(root.kind, Kind::Msg, "{name}");
        if name == "bad_outlook.msg" {
            assert!(
                root.exception.as_deref().is_some_and(|e| e.contains("corrupt Outlook message")),
                "{name}"
            );
            continue;
        }
        assert!(root.exception.is_none(), "{name}: {:?}", root.exception);
        assert!(root.get(field::SUBJECT).is_some(), "{name} has a subject");
        assert!(!root.text.trim().is_empty(), "{name} has a body");
        assert!(items.iter().all(|i| i.exception.is_none()), "{name}");
    }
    let attachment = &files.iter().find(|(n, _)| n == "attachment.msg").expect("attachment.msg").1;
    assert!(attachment.iter().any(|i| i.get(field::FILENAME) == Some("loan_proposal.doc")
        && i.kind == Kind::Doc
        && !i.text.is_empty()));
    // Embedded messages become .msg children, themselves with attachments.
    let nested = &files.iter().find(|(n, _)| n == "test_email.msg").expect("test_email.msg").1;
    assert!(
        nested.iter().any(|i| i.kind == Kind::Msg && i.key.contains('/')),
        "an attachment of an embedded message"
    );
}

#[test]
fn corpus_mbox_threading_and_containers_process_completely() {
    let Some(mbox) = expand_folder("review/mbox") else { return };
    let emails: usize =
        mbox.iter().map(|(_, items)| items.iter().filter(|i| i.kind == Kind::Email).count()).sum();
    assert_eq!(emails, 4, "{}", summary(&mbox));
    assert!(mbox.iter().flat_map(|(_, i)| i).all(|i| i.exception.is_none()), "{}", summary(&mbox));

    let Some(threads) = expand_folder("review/threading") else { return };
    let emails: Vec<&Item> =
        threads.iter().flat_map(|(_, i)| i).filter(|i| i.kind == Kind::Email).collect();
    assert_eq!(emails.len(), 5, "{}", summary(&threads));
    assert!(
        emails
            .iter()
            .all(|e| e.get(field::MESSAGEID).is_some() && e.get(field::DATESENT).is_some())
    );
    assert_eq!(
        emails.iter().filter(|e| e.get(field::INREPLYTO).is_some()).count(),
        4,
        "every reply names its parent"
    );

    let Some(containers) = expand_folder("review/containers") else { return };
    let items: Vec<&Item> = containers.iter().flat_map(|(_, i)| i).collect();
    eprintln!("{}", summary(&containers));
    assert_eq!(items[0].kind, Kind::Zip);
    assert_eq!(items.iter().filter(|i| i.kind == Kind::Email).count(), 3);
    // The two copies of one email carry one dedup key; the executable is the only exception.
    let copies: Vec<String> = items
        .iter()
        .filter(|i| {
            i.get(field::FILENAME).is_some_and(|n| {
                n.starts_with("UPI_0000") && n.ends_with(".eml") && !n.contains("215")
            })
        })
        .map(|i| i.dedup_key())
        .collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0], copies[1]);
    let exceptions: Vec<_> = items.iter().filter_map(|i| i.exception.as_deref()).collect();
    assert_eq!(exceptions, vec!["unsupported file type (.exe)"]);
}
