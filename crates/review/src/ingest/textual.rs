//! Text-bearing formats that need no container: HTML to text, RTF to text, and PDF metadata (its text comes
//! from the caller's [`super::Externals`]).

use super::{Externals, Parsed, field};

/// The named and numeric HTML entities reviewers meet in email bodies.
pub(crate) fn decode_entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    Some(
        match name {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "nbsp" => " ",
            "copy" => "©",
            "reg" => "®",
            "ndash" => "–",
            "mdash" => "—",
            "hellip" => "…",
            "rsquo" => "’",
            "lsquo" => "‘",
            "rdquo" => "”",
            "ldquo" => "“",
            "euro" => "€",
            "pound" => "£",
            _ => return None,
        }
        .to_string(),
    )
}

/// Visible text of an HTML document: tags removed, `script`/`style`/`head` skipped, block elements as line
/// breaks, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while !rest.is_empty() {
        if let Some(end_tag) = skip_until {
            match find_ci(rest, end_tag) {
                Some(at) => {
                    rest = &rest[at..];
                    skip_until = None;
                }
                None => break,
            }
        }
        match rest.find(['<', '&']) {
            None => {
                out.push_str(rest);
                break;
            }
            Some(at) => {
                out.push_str(&rest[..at]);
                rest = &rest[at..];
            }
        }
        if rest.starts_with('&') {
            let end =
                rest[1..].find(|c: char| c == ';' || c.is_whitespace() || c == '<' || c == '&');
            match end
                .filter(|&e| e <= 10)
                .and_then(|e| rest.as_bytes()[1..].get(e).filter(|&&b| b == b';').map(|_| e))
            {
                Some(e) => match decode_entity(&rest[1..1 + e]) {
                    Some(s) => {
                        out.push_str(&s);
                        rest = &rest[e + 2..];
                    }
                    None => {
                        out.push('&');
                        rest = &rest[1..];
                    }
                },
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        // A tag (or a comment).
        if rest.starts_with("<!--") {
            rest = match rest.find("-->") {
                Some(e) => &rest[e + 3..],
                None => "",
            };
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = rest[1..end.saturating_sub(1).max(1)].trim().to_ascii_lowercase();
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        match name.as_str() {
            "script" | "style" | "head" | "title" if !tag.starts_with('/') => {
                skip_until = Some(match name.as_str() {
                    "script" => "</script",
                    "style" => "</style",
                    "title" => "</title",
                    _ => "</head",
                });
            }
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "table" | "blockquote" | "pre" | "hr" => out.push('\n'),
            "td" | "th" => out.push('\t'),
            _ => {}
        }
        rest = &rest[end..];
    }
    tidy_lines(&out)
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let lower = hay.to_ascii_lowercase();
    lower.find(needle)
}

/// Trims trailing spaces on each line and collapses runs of more than two blank lines.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

/// Plain text of an RTF document: control words dropped (`\par` and `\line` as breaks, `\tab`, `\'hh` and
/// `\uN` decoded), ignorable and non-text destinations (font and colour tables, pictures, `\*\…`) skipped.
pub fn rtf_to_text(rtf: &str) -> String {
    const SKIP: [&str; 12] = [
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "object",
        "header",
        "footer",
        "listtable",
        "listoverridetable",
        "themedata",
        "datastore",
    ];
    let bytes = rtf.as_bytes();
    let mut out = String::new();
    // Per group: (skipping, unicode fallback chars to skip after \uN)
    let mut stack: Vec<(bool, usize)> = vec![(false, 1)];
    let mut skip_fallback = 0usize;
    let mut i = 0;
    let mut pending_bytes: Vec<u8> = Vec::new();
    let flush = |pending: &mut Vec<u8>, out: &mut String, skipping: bool| {
        if !pending.is_empty() {
            if !skipping {
                out.push_str(&encoding_rs::WINDOWS_1252.decode(pending).0);
            }
            pending.clear();
        }
    };
    while i < bytes.len() {
        let skipping = stack.last().is_some_and(|s| s.0);
        let c = bytes[i];
        if c != b'\\' || bytes.get(i + 1) != Some(&b'\'') {
            flush(&mut pending_bytes, &mut out, skipping);
        }
        match c {
            b'{' => {
                let top = *stack.last().unwrap_or(&(false, 1));
                stack.push(top);
                i += 1;
            }
            b'}' => {
                if stack.len() > 1 {
                    stack.pop();
                }
                i += 1;
            }
            b'\\' => {
                i += 1;
                let Some(&next) = bytes.get(i) else { break };
                if next == b'\'' {
                    let hex = rtf.get(i + 1..i + 3).unwrap_or("");
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        if skip_fallback > 0 {
                            skip_fallback -= 1;
                        } else {
                            pending_bytes.push(b);
                        }
                    }
                    i += 3;
                    continue;
                }
                if !next.is_ascii_alphabetic() {
                    // Control symbol.
                    match next {
                        b'*' => {
                            if let Some(top) = stack.last_mut() {
                                top.0 = true;
                            }
                        }
                        b'~' if !skipping => out.push('\u{a0}'),
                        b'\\' | b'{' | b'}' if !skipping => out.push(next as char),
                        b'\n' | b'\r' if !skipping => out.push('\n'),
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &rtf[start..i];
                let num_start = i;
                if i < bytes.len() && (bytes[i] == b'-' || bytes[i].is_ascii_digit()) {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let param: Option<i64> = rtf[num_start..i].parse().ok();
                if bytes.get(i) == Some(&b' ') {
                    i += 1;
                }
                if SKIP.contains(&word) {
                    if let Some(top) = stack.last_mut() {
                        top.0 = true;
                    }
                    continue;
                }
                if skipping {
                    continue;
                }
                match word {
                    "par" | "line" | "row" | "sect" | "page" => out.push('\n'),
                    "tab" | "cell" => out.push('\t'),
                    "uc" => {
                        if let Some(top) = stack.last_mut() {
                            top.1 = param.unwrap_or(1).max(0) as usize;
                        }
                    }
                    "u" => {
                        let code = param.unwrap_or(0);
                        let code = if code < 0 { code + 65536 } else { code };
                        if let Some(ch) = char::from_u32(code as u32) {
                            out.push(ch);
                        }
                        skip_fallback = stack.last().map_or(1, |s| s.1);
                    }
                    "emdash" => out.push('—'),
                    "endash" => out.push('–'),
                    "bullet" => out.push('•'),
                    "lquote" => out.push('‘'),
                    "rquote" => out.push('’'),
                    "ldblquote" => out.push('“'),
                    "rdblquote" => out.push('”'),
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if skip_fallback > 0 {
                    skip_fallback -= 1;
                } else if !skipping {
                    // Multi-byte UTF-8 should not occur in RTF, but keep it whole if it does.
                    let ch = rtf[i..].chars().next().unwrap_or(' ');
                    out.push(ch);
                    i += ch.len_utf8();
                    continue;
                }
                i += 1;
            }
        }
    }
    let skipping = stack.last().is_some_and(|s| s.0);
    flush(&mut pending_bytes, &mut out, skipping);
    tidy_lines(&out)
}

/// PDF: PAGECOUNT from the page objects, AUTHOR and dates from the Info dictionary when it is in plain
/// text, the text layer from the caller's extractor; encrypted files are an exception.
pub(crate) fn parse_pdf(bytes: &[u8], externals: &dyn Externals) -> Parsed {
    let mut p = Parsed::default();
    let pages = count_pages(bytes);
    if pages > 0 {
        p.meta.insert(field::PAGECOUNT, pages.to_string());
    }
    if let Some(author) = info_string(bytes, b"/Author") {
        p.meta.insert(field::AUTHOR, author);
    }
    for (key, name) in
        [(&b"/CreationDate"[..], field::DATECREATED), (b"/ModDate", field::DATEMODIFIED)]
    {
        if let Some(d) = info_string(bytes, key).and_then(|d| pdf_date(&d)) {
            p.meta.insert(name, d);
        }
    }
    // Many PDFs are encrypted with an empty user password and read fine; only a failure is an exception.
    let encrypted = contains(bytes, b"/Encrypt");
    match externals.pdf_text(bytes) {
        Ok(text) => {
            p.text = text.replace('\u{c}', "\n").trim().to_string();
            if p.text.is_empty() && pages > 0 {
                p.exception = Some("no text layer (image-only PDF; OCR not available)".into());
            }
        }
        Err(why) if encrypted => p.exception = Some(format!("encrypted PDF: {why}")),
        Err(why) => p.exception = Some(format!("PDF text not extracted: {why}")),
    }
    p
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn count_pages(bytes: &[u8]) -> usize {
    let needle = b"/Type";
    let mut n = 0;
    let mut at = 0;
    while let Some(pos) = bytes[at..].windows(needle.len()).position(|w| w == needle) {
        let mut j = at + pos + needle.len();
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\r' || bytes[j] == b'\n') {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && !bytes[j..].starts_with(b"/Pages") {
            n += 1;
        }
        at = j.max(at + pos + 1);
    }
    n
}

fn info_string(bytes: &[u8], key: &[u8]) -> Option<String> {
    let pos = bytes.windows(key.len()).position(|w| w == key)?;
    let rest = &bytes[pos + key.len()..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    if rest.first() != Some(&b'(') {
        return None;
    }
    let mut depth = 0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len().min(1024) {
        match rest[i] {
            b'\\' => {
                if let Some(&c) = rest.get(i + 1) {
                    out.push(c);
                }
                i += 2;
                continue;
            }
            b'(' => {
                depth += 1;
                if depth > 1 {
                    out.push(b'(');
                }
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                out.push(b')');
            }
            b => out.push(b),
        }
        i += 1;
    }
    let text = if out.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> =
            out[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        encoding_rs::WINDOWS_1252.decode(&out).0.into_owned()
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` to RFC 3339 with its zone (UTC when the date has none).
fn pdf_date(d: &str) -> Option<String> {
    let d = d.strip_prefix("D:").unwrap_or(d);
    let digits: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 {
        return None;
    }
    let part = |a: usize, b: usize, default: &str| digits.get(a..b).unwrap_or(default).to_string();
    let zone = &d[digits.len()..];
    let offset = match zone.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let z: String = zone[1..].chars().filter(|c| c.is_ascii_digit()).collect();
            format!("{sign}{}:{}", z.get(0..2).unwrap_or("00"), z.get(2..4).unwrap_or("00"))
        }
        _ => "Z".to_string(),
    };
    let s = format!(
        "{}-{}-{}T{}:{}:{}{}",
        part(0, 4, "0000"),
        part(4, 6, "01"),
        part(6, 8, "01"),
        part(8, 10, "00"),
        part(10, 12, "00"),
        part(12, 14, "00"),
        offset
    );
    chrono::DateTime::parse_from_rfc3339(&s).ok().map(|t| t.to_rfc3339())
}
