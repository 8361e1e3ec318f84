//! The platform commands: the HTTP load test (small, so the tool cannot rot), the configuration
//! file, and the help texts.

use crate::lawdesk;

#[test]
fn bench_http_runs_sessions_without_errors_or_lost_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(
        dir.path(),
        &["bench", "http", "--sessions", "4", "--duration", "2", "--items", "30"],
    );
    assert!(ok, "{out}");
    assert!(out.contains("4 sessions") && out.contains("no lost writes"), "{out}");
    let all = out.lines().find(|l| l.starts_with("all ")).expect("an overall row");
    let cols: Vec<&str> = all.split_whitespace().collect();
    assert!(cols[1].parse::<u64>().unwrap() > 0, "requests were made: {all}");
    assert_eq!(cols.last(), Some(&"0"), "no errors: {all}");
    for kind in ["list ", "view ", "comment ", "status "] {
        assert!(out.lines().any(|l| l.starts_with(kind)), "{kind}row: {out}");
    }
}

#[test]
fn configuration_file_in_the_data_folder_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("lawdesk.toml"), "blob_store = \"gs://elsewhere\"\n").unwrap();
    let (ok, out) = lawdesk(&data, &["migrate"]);
    assert!(!ok && out.contains("unsupported blob store"), "the file is read: {out}");
    std::fs::write(data.join("lawdesk.toml"), "databse_url = \"postgres://x/y\"\n").unwrap();
    let (ok, out) = lawdesk(&data, &["migrate"]);
    assert!(!ok && out.contains("databse_url"), "typos are refused: {out}");
    // --config names another file, which then must exist.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "# nothing set\n").unwrap();
    let (ok, out) = lawdesk(&data, &["--config", other.to_str().unwrap(), "migrate"]);
    assert!(ok && out.contains("latest schema"), "{out}");
    let (ok, out) = lawdesk(&data, &["--config", "/nonexistent/lawdesk.toml", "migrate"]);
    assert!(!ok && out.contains("/nonexistent/lawdesk.toml"), "{out}");
}

#[test]
fn help_explains_settings_and_the_load_test() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = lawdesk(dir.path(), &["--help"]);
    assert!(ok && out.contains("lawdesk.toml") && out.contains("LAWDESK_BLOB_STORE"), "{out}");
    let (ok, out) = lawdesk(dir.path(), &["bench", "http", "--help"]);
    assert!(ok && out.contains("--sessions") && out.contains("--think-ms"), "{out}");
}
