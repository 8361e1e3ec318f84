//! Corpus suite: validates every LEDES file in `../shared/data/billing/ledes`.

use std::path::PathBuf;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LAWDESK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    dir.is_dir().then_some(dir)
}

#[test]
fn ledes_corpus_good_files_pass_and_bad_files_fail_with_messages() {
    let Some(data) = shared_data() else {
        eprintln!("SKIPPED (corpus suite): shared data folder not found (set LAWDESK_SHARED_DATA)");
        return;
    };
    let dir = data.join("billing/ledes");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED (corpus suite): {} not found", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let mut checked = 0;
    for path in files.iter().filter(|p| p.is_file()) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let bytes = std::fs::read(path).expect("corpus file is readable");
        let result = billing::ledes::validate_bytes(&bytes);
        match &result {
            Ok(summary) => eprintln!(
                "{name}: valid {:?}, {} line items, warnings {:?}",
                summary.format, summary.line_items, summary.warnings
            ),
            Err(errors) => {
                eprintln!("{name}: {} errors", errors.len());
                for e in errors.iter().take(8) {
                    eprintln!("    {e}");
                }
            }
        }
        if name.contains("good") {
            assert!(result.is_ok(), "{name} should be valid: {result:?}");
        } else if name.contains("bad") {
            let errors = result.expect_err("bad corpus file must be rejected");
            assert!(
                errors.iter().all(|e| e.line > 0 && !e.field.is_empty() && !e.message.is_empty())
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no LEDES files in {}", dir.display());
}
