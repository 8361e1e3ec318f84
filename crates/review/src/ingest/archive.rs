//! ZIP archives, nested or not, under the expansion budget: each entry is checked against the total and
//! ratio limits before a byte is inflated (the declared size of a zip bomb may lie, so reading is bounded
//! too), names that try to climb out (`../`, absolute paths) are kept only as their last segment, and
//! encrypted entries become exceptions with their names.

use super::{Budget, Child, Parsed};
use std::io::{Cursor, Read};

pub(crate) fn parse_zip(bytes: &[u8], budget: &mut Budget<'_>) -> Parsed {
    let mut p = Parsed::default();
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            p.exception = Some(format!("corrupt archive: {e}"));
            return p;
        }
    };
    let mut notes = Vec::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(zip::result::ZipError::UnsupportedArchive(why)) => {
                p.children.push(Child {
                    name: format!("entry {}", i + 1),
                    bytes: Vec::new(),
                    exception: Some(format!("archive entry unreadable: {why}")),
                    modified: None,
                });
                continue;
            }
            Err(e) => {
                p.children.push(Child {
                    name: format!("entry {}", i + 1),
                    bytes: Vec::new(),
                    exception: Some(format!("archive entry unreadable: {e}")),
                    modified: None,
                });
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let name = safe_name(&raw_name);
        if name != raw_name.replace('\\', "/").trim_start_matches("./") {
            notes.push(format!("unsafe entry name {raw_name:?} kept as {name:?}"));
        }
        let modified = entry.last_modified().and_then(|d| {
            chrono::NaiveDate::from_ymd_opt(d.year().into(), d.month().into(), d.day().into())
                .and_then(|day| {
                    day.and_hms_opt(d.hour().into(), d.minute().into(), d.second().into())
                })
                // Zip times have no zone; they are recorded as written, marked as local time.
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
        });
        if entry.encrypted() {
            p.children.push(Child {
                name,
                bytes: Vec::new(),
                exception: Some("encrypted archive entry".into()),
                modified,
            });
            continue;
        }
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        let left = budget.limits.max_expanded_bytes.saturating_sub(budget.expanded);
        let too_big = declared > budget.limits.max_item_bytes || declared > left;
        let ratio_bomb = declared / compressed > budget.limits.max_ratio && declared > 1024 * 1024;
        if too_big || ratio_bomb {
            p.children.push(Child {
                name,
                bytes: Vec::new(),
                exception: Some(format!(
                    "not extracted: {declared} bytes from {compressed} compressed is over the archive limits"
                )),
                modified,
            });
            continue;
        }
        // Read at most one byte past what was declared, so a lying header cannot inflate without end.
        let cap = declared.min(left).saturating_add(1);
        let mut data = Vec::with_capacity(declared.min(64 * 1024 * 1024) as usize);
        let result = (&mut entry).take(cap).read_to_end(&mut data);
        budget.expanded += data.len() as u64;
        let exception = match result {
            Err(e) => Some(format!("archive entry unreadable: {e}")),
            Ok(_) if data.len() as u64 > declared => {
                data.clear();
                Some("archive entry larger than declared (possible zip bomb)".into())
            }
            Ok(_) => None,
        };
        p.children.push(Child { name, bytes: data, exception, modified });
    }
    if !notes.is_empty() {
        p.text = notes.join("\n");
    }
    p
}

/// An archive name reduced to a relative path without `..`, drive letters or leading slashes.
pub(crate) fn safe_name(raw: &str) -> String {
    let parts: Vec<&str> = raw
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != "." && *s != ".." && !s.ends_with(':'))
        .collect();
    if parts.is_empty() { "unnamed".into() } else { parts.join("/") }
}
