//! A minimal RFC 5322 header reader: unfolding, repeated headers, message ids, addresses and dates.
//!
//! Just enough for dedup and threading over already-extracted messages; MIME decoding (encoded words,
//! transfer encodings, multipart bodies) belongs to the ingestion crate.

use chrono::{DateTime, Utc};

/// Headers of one message in their original order, names as written, values unfolded and trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    pub fields: Vec<(String, String)>,
}

impl Headers {
    /// The first value of a header, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of a header (e.g. several `To:` lines), in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a raw message into its headers and body. An mbox `From ` separator line is skipped; continuation
/// lines (starting with a space or tab) are unfolded into the previous header; lines that are not headers
/// are ignored rather than rejected, because real archives carry such damage.
pub fn parse_message(raw: &str) -> (Headers, &str) {
    let mut headers = Headers::default();
    let mut rest = raw;
    let mut first = true;
    let mut body = "";
    loop {
        let (line, next, at_end) = match rest.find('\n') {
            Some(nl) => (&rest[..nl], &rest[nl + 1..], false),
            None => (rest, "", true),
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            body = next;
            break;
        }
        if first && line.starts_with("From ") {
            // mbox separator, not a header
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.fields.last_mut() {
                // RFC 5322 unfolding removes the line break only; the leading whitespace stays.
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':')
            && !name.is_empty()
            && !name.contains([' ', '\t'])
        {
            headers.fields.push((name.to_string(), value.to_string()));
        }
        first = false;
        rest = next;
        if at_end {
            break;
        }
    }
    for (_, value) in &mut headers.fields {
        *value = value.trim().to_string();
    }
    (headers, body)
}

/// The message ids of a `Message-ID`, `In-Reply-To` or `References` value, without angle brackets.
/// A value without brackets (seen in old mailers) counts as one id if it has no spaces.
pub fn message_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        let id = rest[open + 1..open + close].trim();
        if !id.is_empty() {
            ids.push(id.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    let trimmed = value.trim();
    if ids.is_empty() && !trimmed.is_empty() && !trimmed.contains(char::is_whitespace) {
        ids.push(trimmed.to_string());
    }
    ids
}

/// The lowercased addresses of an address-list header value (`"Lay, Ken" <klay@enron.com>, bob@x.com`).
/// Commas inside quotes, angle brackets or comments do not split; a display name without an address
/// (common in Exchange exports) is kept lowercased and whitespace-folded so it still identifies someone.
pub fn addresses(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut in_quotes, mut angle, mut paren) = (false, 0u32, 0u32);
    let mut current = String::new();
    for ch in value.chars() {
        match ch {
            '"' => in_quotes = !in_quotes,
            '<' if !in_quotes => angle += 1,
            '>' if !in_quotes => angle = angle.saturating_sub(1),
            '(' if !in_quotes => paren += 1,
            ')' if !in_quotes => paren = paren.saturating_sub(1),
            ',' | ';' if !in_quotes && angle == 0 && paren == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    parts.push(current);
    parts.iter().filter_map(|p| normalize_address(p)).collect()
}

fn normalize_address(part: &str) -> Option<String> {
    let part = part.trim();
    let address = match (part.rfind('<'), part.rfind('>')) {
        (Some(open), Some(close)) if open < close => &part[open + 1..close],
        _ => part,
    };
    let address = crate::text::fold_whitespace(
        address.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace()),
    );
    (!address.is_empty()).then(|| address.to_lowercase())
}

/// Parses an RFC 5322 `Date:` value to UTC, tolerating a trailing comment like `(PDT)` and missing
/// day-of-week; `None` when it cannot be read.
pub fn parse_date(value: &str) -> Option<DateTime<Utc>> {
    let without_comment = match value.find('(') {
        Some(open) => &value[..open],
        None => value,
    };
    let cleaned = crate::text::fold_whitespace(without_comment);
    DateTime::parse_from_rfc2822(&cleaned).ok().map(|d| d.with_timezone(&Utc))
}

/// Removes reply and forward prefixes (`Re:`, `RE[2]:`, `Fw:`, `Fwd:`, `AW:`, `WG:`, `SV:`, `VS:`, `TR:`)
/// and mailing-list tags (`[fedora-devel]`), repeatedly, then folds whitespace and lowercases, so all
/// messages of a conversation share one subject key.
pub fn normalize_subject(subject: &str) -> String {
    const PREFIXES: [&str; 10] = ["re", "fw", "fwd", "aw", "wg", "sv", "vs", "tr", "antw", "rif"];
    let mut rest = subject.trim();
    loop {
        let before = rest;
        if rest.starts_with('[')
            && let Some(close) = rest.find(']')
        {
            rest = rest[close + 1..].trim_start();
        }
        if let Some(colon) = rest.find(':') {
            let head = rest[..colon].trim();
            // Allow counters such as `Re[2]` or `Re(2)`.
            let word = head.split(['[', '(']).next().unwrap_or(head);
            if PREFIXES.iter().any(|p| word.eq_ignore_ascii_case(p)) && head.len() <= word.len() + 4
            {
                rest = rest[colon + 1..].trim_start();
            }
        }
        if rest == before {
            break;
        }
    }
    crate::text::fold_whitespace(rest).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_skips_mbox_line() {
        let raw = "From someone Tue Sep 30 22:52:24 2008\r\nSubject: a long\r\n\tsubject line\r\nTo: a@x.com,\r\n b@y.com\r\nX-Bad line\r\nTo: c@z.com\r\n\r\nBody\r\n";
        let (headers, body) = parse_message(raw);
        assert_eq!(headers.get("subject"), Some("a long\tsubject line"));
        assert_eq!(headers.get_all("TO").collect::<Vec<_>>(), vec!["a@x.com, b@y.com", "c@z.com"]);
        assert_eq!(body, "Body\r\n");
        let (no_body, rest) = parse_message("Subject: x");
        assert_eq!(no_body.get("Subject"), Some("x"));
        assert_eq!(rest, "");
    }

    #[test]
    fn ids_addresses_dates_subjects() {
        assert_eq!(message_ids(" <a@b>\n\t<c@d> junk <e@f>"), vec!["a@b", "c@d", "e@f"]);
        assert_eq!(message_ids("bare@id"), vec!["bare@id"]);
        assert!(message_ids("").is_empty());
        assert_eq!(
            addresses(
                r#""Lay, Kenneth" <Kenneth.Lay@Enron.com>, bob@X.com; Jim  Tomforde <tom4d@ins.com> , Sally Beck"#
            ),
            vec!["kenneth.lay@enron.com", "bob@x.com", "tom4d@ins.com", "sally beck"]
        );
        let date = parse_date("Tue, 30 Sep 2008 19:52:10 -0700 (PDT)").expect("valid date");
        assert_eq!(date.to_rfc3339(), "2008-10-01T02:52:10+00:00");
        assert!(parse_date("yesterday").is_none());
        assert_eq!(normalize_subject("Re: FW: [fedora-devel]  Tab   completion"), "tab completion");
        assert_eq!(normalize_subject("AW: WG: RE[2]: Budget"), "budget");
        assert_eq!(normalize_subject("Regarding: budget"), "regarding: budget");
    }
}
