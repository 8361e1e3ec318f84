//! RFC 5322 / MIME emails (through mail-parser) and mbox files: headers to standard fields, the text body
//! (HTML converted when there is no plain part), attachments and attached emails as children.

use super::{Budget, Child, Parsed, field};
use mail_parser::{Address, Message, MessageParser, MimeHeaders};

/// True when the start of `head` reads as header lines (`Name: value`), at least two of them known
/// message headers, before any blank line.
pub(crate) fn looks_like_message(head: &[u8]) -> bool {
    const KNOWN: [&str; 10] = [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "cc",
    ];
    let text = String::from_utf8_lossy(head);
    let mut known = 0;
    for line in text.lines().take(40) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return false;
        }
        if KNOWN.iter().any(|k| name.eq_ignore_ascii_case(k)) {
            known += 1;
        }
    }
    known >= 2
}

fn render_address(address: Option<&Address<'_>>) -> String {
    let Some(address) = address else { return String::new() };
    address
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) if !n.is_empty() => format!("{n} <{e}>"),
            (_, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn header_ids(value: &mail_parser::HeaderValue<'_>) -> String {
    match value {
        mail_parser::HeaderValue::Text(t) => format!("<{t}>"),
        mail_parser::HeaderValue::TextList(list) => {
            list.iter().map(|t| format!("<{t}>")).collect::<Vec<_>>().join(" ")
        }
        _ => String::new(),
    }
}

pub(crate) fn parse_email(bytes: &[u8]) -> Parsed {
    let Some(message) = MessageParser::default().parse(bytes) else {
        return Parsed {
            exception: Some("not a readable email message".into()),
            ..Default::default()
        };
    };
    if message.headers().is_empty() {
        // mbox messages with only an envelope line still have text worth reviewing.
        return Parsed { text: super::decode_text(bytes).trim().to_string(), ..Default::default() };
    }
    from_message(&message)
}

/// The fields, text and children of a parsed message.
pub(crate) fn from_message(message: &Message<'_>) -> Parsed {
    let mut p = Parsed::default();
    let mut put = |name: &'static str, value: String| {
        let value = value.trim().to_string();
        if !value.is_empty() {
            p.meta.insert(name, value);
        }
    };
    put(field::FROM, render_address(message.from()));
    put(field::TO, render_address(message.to()));
    put(field::CC, render_address(message.cc()));
    put(field::BCC, render_address(message.bcc()));
    put(field::SUBJECT, message.subject().unwrap_or_default().to_string());
    if let Some(date) = message.date() {
        put(field::DATESENT, date.to_rfc3339());
    }
    if let Some(id) = message.message_id() {
        put(field::MESSAGEID, format!("<{id}>"));
    }
    put(field::INREPLYTO, header_ids(message.in_reply_to()));
    put(field::REFERENCES, header_ids(message.references()));
    let mut body = String::new();
    if message.text_body_count() > 0 {
        for part in message.text_bodies() {
            match part.text_contents() {
                Some(t) if part.is_text_html() => body.push_str(&super::html_to_text(t)),
                Some(t) => body.push_str(t),
                None => {}
            }
            body.push('\n');
        }
    } else if let Some(html) = message.body_html(0) {
        body = super::html_to_text(&html);
    }
    let body = body.trim_end().to_string();
    // The dedup identity uses the raw header values, so display-name formatting does not matter.
    let raw_headers = header_block(message.raw_message());
    let (headers, _) = crate::mail::parse_message(&raw_headers);
    p.email_hash = Some(crate::dedup::email_dedup_hash(
        &crate::dedup::EmailIdentity::from_headers(&headers, &body),
    ));
    for attachment in message.attachments() {
        let name = attachment
            .attachment_name()
            .map(str::to_string)
            .or_else(|| attachment.message().and_then(|m| m.subject()).map(|s| format!("{s}.eml")))
            .unwrap_or_else(|| {
                if attachment.is_message() {
                    "attached message.eml".into()
                } else {
                    "attachment".into()
                }
            });
        let name = if attachment.is_message() && !name.to_ascii_lowercase().ends_with(".eml") {
            format!("{name}.eml")
        } else {
            name
        };
        p.children.push(Child {
            name,
            bytes: attachment.contents().to_vec(),
            exception: None,
            modified: None,
        });
    }
    p.text = body;
    p
}

/// The header block of a raw message, decoded leniently.
fn header_block(raw: &[u8]) -> String {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// Splits an mbox on its `From ` separator lines (a line starting with `From ` at the start of the file
/// or after an empty line); each message becomes a child, with `>From ` unquoted.
pub(crate) fn parse_mbox(bytes: &[u8], budget: &mut Budget<'_>) -> Parsed {
    let mut p = Parsed::default();
    let mut starts = Vec::new();
    let mut at = 0usize;
    let mut previous_blank = true;
    while at < bytes.len() {
        let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| at + n + 1);
        let line = &bytes[at..end];
        if previous_blank && line.starts_with(b"From ") {
            starts.push(at);
        }
        previous_blank = line == b"\n" || line == b"\r\n";
        at = end;
    }
    if starts.is_empty() {
        p.exception = Some("no messages found in mailbox".into());
        return p;
    }
    starts.push(bytes.len());
    for (n, pair) in starts.windows(2).enumerate() {
        let chunk = &bytes[pair[0]..pair[1]];
        let body_start = chunk.iter().position(|&b| b == b'\n').map_or(chunk.len(), |x| x + 1);
        let message = unquote_from(&chunk[body_start..]);
        budget.expanded += message.len() as u64;
        let exception = (budget.expanded > budget.limits.max_expanded_bytes)
            .then(|| "mailbox larger than the expansion limit".to_string());
        p.children.push(Child {
            name: format!("message {:06}.eml", n + 1),
            bytes: if exception.is_some() { Vec::new() } else { message },
            exception,
            modified: None,
        });
    }
    p
}

fn unquote_from(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut line_start = true;
    let mut i = 0;
    while i < message.len() {
        if line_start && message[i..].starts_with(b">From ") {
            i += 1;
        }
        let b = message[i];
        out.push(b);
        line_start = b == b'\n';
        i += 1;
    }
    out
}
