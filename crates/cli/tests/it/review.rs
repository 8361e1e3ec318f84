//! `lawdesk` commands for review, end to end through the binary (`crate::lawdesk`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// A folder of `n` small emails, every tenth with a text attachment.
fn write_emails(dir: &std::path::Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let mut mail = format!(
            "Message-ID: <m{i}@corp.test>\r\nDate: Mon, 14 May 2001 16:{:02}:00 -0700\r\nFrom: trader{}@corp.test\r\nTo: desk@corp.test\r\nSubject: position report {i}\r\nMIME-Version: 1.0\r\n",
            i % 60,
            i % 7
        );
        if i % 10 == 0 {
            mail.push_str(&format!("Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee attached, number {i}.\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"p{i}.txt\"\r\n\r\nattachment {i}\r\n--B--\r\n"));
        } else {
            mail.push_str(&format!(
                "Content-Type: text/plain\r\n\r\nThe book for day {i} is flat.\r\n"
            ));
        }
        std::fs::write(dir.join(format!("{i:05}.eml")), mail).unwrap();
    }
}

fn report_value(out: &str, key: &str) -> i64 {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}\t")))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {out}"))
}

#[test]
fn ingest_killed_mid_run_resumes_without_losing_or_duplicating_items() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let source = dir.path().join("mail");
    write_emails(&source, 1500);
    let (ok, out) = crate::lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let args = [
        "review",
        "ingest",
        "--matter",
        "2026-0001",
        "--custodian",
        "Allen, Phillip",
        "--plain",
        "--batch",
        "50",
        "--no-near-dups",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawdesk"))
        .arg("--data-dir")
        .arg(&data)
        .args(args)
        .arg(&source)
        .env_remove("LAWDESK_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut committed_before_kill = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("progress ") {
            let done: i64 = rest.split('/').next().unwrap().parse().unwrap();
            if done >= 300 {
                committed_before_kill = done;
                break;
            }
        }
    }
    assert!(committed_before_kill >= 300, "the child reported progress before finishing");
    child.kill().unwrap(); // SIGKILL: no cleanup, mid-batch
    child.wait().unwrap();

    let (ok, out) = crate::lawdesk(&data, &["review", "report", "--matter", "2026-0001"]);
    assert!(ok, "{out}");
    let partial = report_value(&out, "items");
    assert!(partial >= committed_before_kill && partial < 1650, "{out}");

    let mut resumed = vec!["--data-dir".to_string(), data.display().to_string()];
    resumed.extend(args.iter().map(|s| s.to_string()));
    resumed.push(source.display().to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_lawdesk"))
        .args(&resumed)
        .env_remove("LAWDESK_DATABASE_URL")
        .output()
        .unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("resuming job"), "{text}");
    // 1,500 emails and 150 attachments: none lost, none twice.
    assert_eq!(report_value(&text, "items"), 1650, "{text}");
    assert_eq!(report_value(&text, "families"), 1500, "{text}");
    assert_eq!(report_value(&text, "duplicates"), 0, "{text}");

    // Running it once more finds nothing new to add.
    let (ok, again) = crate::lawdesk(
        &data,
        &[
            "review",
            "ingest",
            "--matter",
            "2026-0001",
            "--custodian",
            "Allen, Phillip",
            "--plain",
            source.to_str().unwrap(),
        ],
    );
    assert!(ok, "{again}");
    assert_eq!(report_value(&again, "items"), 1650, "{again}");
}

#[test]
fn report_lists_exceptions_and_refuses_unknown_matters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let source = dir.path().join("in");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("bad.msg"), b"not outlook").unwrap();
    std::fs::write(source.join("note.txt"), b"plain words").unwrap();
    let (ok, out) = crate::lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) = crate::lawdesk(
        &data,
        &["review", "ingest", "--matter", "2026-0002", "--plain", source.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    assert_eq!(report_value(&out, "exceptions"), 1, "{out}");
    let (ok, out) =
        crate::lawdesk(&data, &["review", "report", "--matter", "2026-0002", "--exceptions"]);
    assert!(ok && out.contains("exception\tin/bad.msg#\tmsg\tcorrupt Outlook message"), "{out}");
    let (ok, out) = crate::lawdesk(&data, &["review", "report", "--matter", "1999-0001"]);
    assert!(!ok && out.contains("no matter 1999-0001"), "{out}");
}

#[test]
fn ingested_documents_are_searchable_with_fields_and_proximity() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let source = dir.path().join("mail");
    write_emails(&source, 30);
    let (ok, out) = crate::lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let (ok, out) = crate::lawdesk(
        &data,
        &["review", "ingest", "--matter", "2026-0002", "--plain", source.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    // Emails 3, 10 and 17 are from trader3; of those, only 3 and 17 carry the "book ... flat" body
    // (10 has an attachment instead).
    let (ok, out) = crate::lawdesk(
        &data,
        &["review", "search", "--matter", "2026-0002", "from:trader3 AND (book w/5 flat)"],
    );
    assert!(ok, "{out}");
    assert!(out.contains("position report 3") && out.contains("position report 17"), "{out}");
    assert!(!out.contains("position report 10"), "{out}");
    let (ok, out) =
        crate::lawdesk(&data, &["review", "search", "--matter", "2026-0002", "attachment w/2 20"]);
    assert!(ok && out.contains("p20.txt"), "{out}");
}
