use review::ingest::*;
fn main() {
    for dir in std::env::args().skip(1) {
        let mut counts = std::collections::BTreeMap::new();
        let mut entries: Vec<_> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            let bytes = std::fs::read(&p).unwrap();
            let items = expand(
                &p.file_name().unwrap().to_string_lossy(),
                bytes,
                "",
                &Limits::default(),
                &NoExternals,
            );
            for i in &items {
                *counts.entry(i.kind.as_str()).or_insert(0) += 1;
                if let Some(e) = &i.exception {
                    println!("EXC {} [{}] {}: {}", p.display(), i.key, i.kind.as_str(), e);
                }
            }
            if items.len() > 1 || dir.contains("msg") {
                println!(
                    "{} -> {} items: {:?}",
                    p.display(),
                    items.len(),
                    items
                        .iter()
                        .map(|i| (
                            i.key.clone(),
                            i.kind.as_str(),
                            i.get("FILENAME").map(str::to_string),
                            i.get("SUBJECT").map(str::to_string),
                            i.text.len()
                        ))
                        .collect::<Vec<_>>()
                );
            }
        }
        println!("{dir}: {counts:?}");
    }
}
