//! Outlook `.msg` files: an OLE compound file of MAPI property streams. Headers come from the transport
//! headers when the message was sent (they carry Message-ID and the sender's time zone), else from the
//! display properties; attachments and embedded messages become children (an embedded message is copied
//! into a compound file of its own, so it is a producible `.msg` native).

use super::{Child, Parsed, field};
use crate::dedup::{EmailIdentity, email_dedup_hash};
use cfb::CompoundFile;
use chrono::{DateTime, Utc};
use std::io::{Cursor, Read, Write};

type Ole<'a> = CompoundFile<Cursor<&'a [u8]>>;

const PR_SUBJECT: u16 = 0x0037;
const PR_CLIENT_SUBMIT_TIME: u16 = 0x0039;
const PR_TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
const PR_SENDER_NAME: u16 = 0x0C1A;
const PR_SENDER_EMAIL: u16 = 0x0C1F;
const PR_DISPLAY_BCC: u16 = 0x0E02;
const PR_DISPLAY_CC: u16 = 0x0E03;
const PR_DISPLAY_TO: u16 = 0x0E04;
const PR_MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
const PR_BODY: u16 = 0x1000;
const PR_HTML: u16 = 0x1013;
const PR_INTERNET_MESSAGE_ID: u16 = 0x1035;
const PR_IN_REPLY_TO_ID: u16 = 0x1042;
const PR_ATTACH_DATA: u16 = 0x3701;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_DISPLAY_NAME: u16 = 0x3001;
const PR_CREATION_TIME: u16 = 0x3007;
const PR_LAST_MODIFICATION_TIME: u16 = 0x3008;
const PR_SENDER_SMTP_ADDRESS: u16 = 0x5D01;

/// Streams bigger than this are not read (a hostile size field must not allocate gigabytes).
const MAX_STREAM: u64 = 256 * 1024 * 1024;

pub(crate) fn parse_msg(bytes: &[u8]) -> Parsed {
    let mut ole = match CompoundFile::open(Cursor::new(bytes)) {
        Ok(ole) => ole,
        Err(e) => {
            return Parsed {
                exception: Some(format!("corrupt Outlook message: {e}")),
                ..Default::default()
            };
        }
    };
    if !ole.exists("/__properties_version1.0") && !ole.exists(substg("", PR_SUBJECT, 0x001F)) {
        return Parsed {
            exception: Some("not an Outlook message (no MAPI properties)".into()),
            ..Default::default()
        };
    }
    message(&mut ole, "", 32)
}

fn substg(base: &str, id: u16, ty: u16) -> String {
    format!("{base}/__substg1.0_{id:04X}{ty:04X}")
}

fn read(ole: &mut Ole<'_>, path: &str) -> Option<Vec<u8>> {
    let entry = ole.entry(path).ok()?;
    if !entry.is_stream() || entry.len() > MAX_STREAM {
        return None;
    }
    let mut stream = ole.open_stream(path).ok()?;
    let mut out = Vec::with_capacity(entry.len() as usize);
    stream.read_to_end(&mut out).ok()?;
    Some(out)
}

fn string(ole: &mut Ole<'_>, base: &str, id: u16) -> Option<String> {
    if let Some(raw) = read(ole, &substg(base, id, 0x001F)) {
        let units: Vec<u16> =
            raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return Some(String::from_utf16_lossy(&units).trim_end_matches('\0').to_string());
    }
    read(ole, &substg(base, id, 0x001E))
        .map(|raw| super::decode_text(&raw).trim_end_matches('\0').to_string())
}

/// Fixed-size properties (times) from the property stream; `header` is 32 for a top-level message,
/// 24 for an embedded one, 8 for an attachment.
fn times(ole: &mut Ole<'_>, base: &str, header: usize) -> Vec<(u16, DateTime<Utc>)> {
    let Some(raw) = read(ole, &format!("{base}/__properties_version1.0")) else { return vec![] };
    let mut out = Vec::new();
    for entry in raw.get(header..).unwrap_or_default().chunks_exact(16) {
        let tag = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
        if tag & 0xFFFF == 0x0040 {
            let ft = u64::from_le_bytes(entry[8..16].try_into().expect("8 bytes"));
            if let Some(t) = filetime(ft) {
                out.push(((tag >> 16) as u16, t));
            }
        }
    }
    out
}

/// Windows FILETIME (100 ns ticks since 1601) to UTC.
pub(crate) fn filetime(ft: u64) -> Option<DateTime<Utc>> {
    if ft == 0 {
        return None;
    }
    let secs = (ft / 10_000_000) as i64 - 11_644_473_600;
    DateTime::from_timestamp(secs, ((ft % 10_000_000) * 100) as u32)
}

fn message(ole: &mut Ole<'_>, base: &str, header: usize) -> Parsed {
    let mut p = Parsed::default();
    let headers_raw = string(ole, base, PR_TRANSPORT_MESSAGE_HEADERS).unwrap_or_default();
    let (headers, _) = crate::mail::parse_message(&format!("{headers_raw}\r\n\r\n"));
    let sender_name = string(ole, base, PR_SENDER_NAME).unwrap_or_default();
    let sender_email = string(ole, base, PR_SENDER_SMTP_ADDRESS)
        .or_else(|| string(ole, base, PR_SENDER_EMAIL))
        .unwrap_or_default();
    let from = match headers.get("From") {
        Some(f) => f.to_string(),
        None if !sender_email.is_empty() && sender_email != sender_name => {
            format!("{sender_name} <{sender_email}>").trim().to_string()
        }
        None => sender_name,
    };
    let pick = |h: &str, prop: Option<String>| headers.get(h).map(str::to_string).or(prop);
    let to = pick("To", string(ole, base, PR_DISPLAY_TO)).unwrap_or_default();
    let cc = pick("Cc", string(ole, base, PR_DISPLAY_CC)).unwrap_or_default();
    let bcc = pick("Bcc", string(ole, base, PR_DISPLAY_BCC)).unwrap_or_default();
    let subject = string(ole, base, PR_SUBJECT).unwrap_or_default();
    let message_id = string(ole, base, PR_INTERNET_MESSAGE_ID)
        .or_else(|| headers.get("Message-ID").map(str::to_string))
        .unwrap_or_default();
    let in_reply_to = string(ole, base, PR_IN_REPLY_TO_ID)
        .or_else(|| headers.get("In-Reply-To").map(str::to_string))
        .unwrap_or_default();
    let props = times(ole, base, header);
    let prop_time = |id: u16| props.iter().find(|(i, _)| *i == id).map(|(_, t)| *t);
    // The Date header keeps the sender's zone; the MAPI times are UTC.
    let date_header = headers.get("Date").and_then(|d| {
        DateTime::parse_from_rfc2822(&crate::text::fold_whitespace(
            d.split('(').next().unwrap_or(d),
        ))
        .ok()
    });
    let sent_utc = prop_time(PR_CLIENT_SUBMIT_TIME).or(prop_time(PR_MESSAGE_DELIVERY_TIME));
    let date_sent = match (date_header, sent_utc) {
        (Some(d), _) => Some(d.to_rfc3339()),
        (None, Some(t)) => Some(t.to_rfc3339()),
        _ => None,
    };
    let mut body = string(ole, base, PR_BODY).unwrap_or_default();
    if body.trim().is_empty()
        && let Some(html) = read(ole, &substg(base, PR_HTML, 0x0102))
            .map(|h| super::decode_text(&h))
            .or_else(|| string(ole, base, PR_HTML))
    {
        body = super::html_to_text(&html);
    }
    let body = body.replace("\r\n", "\n").trim_end().to_string();
    for (name, value) in [
        (field::FROM, from.clone()),
        (field::TO, to.clone()),
        (field::CC, cc.clone()),
        (field::BCC, bcc.clone()),
        (field::SUBJECT, subject.clone()),
        (field::MESSAGEID, message_id.clone()),
        (field::INREPLYTO, in_reply_to),
        (field::REFERENCES, headers.get("References").unwrap_or_default().to_string()),
    ] {
        if !value.trim().is_empty() {
            p.meta.insert(name, value.trim().to_string());
        }
    }
    if let Some(d) = &date_sent {
        p.meta.insert(field::DATESENT, d.clone());
    }
    if let Some(t) = prop_time(PR_CREATION_TIME) {
        p.meta.insert(field::DATECREATED, t.to_rfc3339());
    }
    if let Some(t) = prop_time(PR_LAST_MODIFICATION_TIME) {
        p.meta.insert(field::DATEMODIFIED, t.to_rfc3339());
    }
    p.email_hash = Some(email_dedup_hash(&EmailIdentity {
        from: &from,
        to: &to,
        cc: &cc,
        bcc: &bcc,
        subject: &subject,
        date: date_header.map(|d| d.with_timezone(&Utc)).or(sent_utc),
        message_id: &message_id,
        body: &body,
    }));
    p.text = body;
    let attachments: Vec<String> = ole
        .read_storage(if base.is_empty() { "/" } else { base })
        .map(|entries| {
            entries
                .filter(|e| e.is_storage() && e.name().starts_with("__attach_version1.0_#"))
                .map(|e| e.path().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut attachments = attachments;
    attachments.sort();
    for att in attachments {
        let name = string(ole, &att, PR_ATTACH_LONG_FILENAME)
            .or_else(|| string(ole, &att, PR_ATTACH_FILENAME))
            .or_else(|| string(ole, &att, PR_DISPLAY_NAME))
            .unwrap_or_else(|| "attachment".into());
        let embedded = format!("{att}/__substg1.0_3701000D");
        if ole.is_storage(&embedded) {
            let (bytes, exception) = match copy_embedded(ole, &embedded) {
                Ok(b) => (b, None),
                Err(e) => (Vec::new(), Some(format!("embedded message unreadable: {e}"))),
            };
            let name = if name.to_ascii_lowercase().ends_with(".msg") {
                name
            } else {
                format!("{name}.msg")
            };
            p.children.push(Child { name, bytes, exception, modified: None });
        } else if let Some(bytes) = read(ole, &substg(&att, PR_ATTACH_DATA, 0x0102)) {
            p.children.push(Child { name, bytes, exception: None, modified: None });
        }
    }
    p
}

/// Copies an embedded message's storage into a compound file of its own, widening its property stream
/// header from 24 to 32 bytes as a top-level message has.
fn copy_embedded(ole: &mut Ole<'_>, storage: &str) -> std::io::Result<Vec<u8>> {
    let mut out = CompoundFile::create(Cursor::new(Vec::new()))?;
    let entries: Vec<(String, bool)> = ole
        .walk_storage(storage)?
        .filter(|e| e.path().to_string_lossy() != storage)
        .map(|e| (e.path().to_string_lossy().into_owned(), e.is_storage()))
        .collect();
    for (path, is_storage) in entries {
        let relative = &path[storage.len()..];
        if is_storage {
            out.create_storage_all(relative)?;
            continue;
        }
        let mut data = read(ole, &path).unwrap_or_default();
        if relative == "/__properties_version1.0" && data.len() >= 24 {
            data.splice(24..24, [0u8; 8]);
        }
        let mut stream = out.create_stream(relative)?;
        stream.write_all(&data)?;
    }
    out.flush()?;
    Ok(out.into_inner().into_inner())
}
