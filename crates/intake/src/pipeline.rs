//! The intake pipeline: lead stages and their moves, per-practice-area form fields and their
//! validation, the non-engagement letter template, and the signed timestamp that keeps robots from
//! submitting the public form faster than a person can.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a lead stands in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStage {
    /// Just arrived through the public form (or entered by staff).
    New,
    /// A conflict check runs or waits for a decision.
    ConflictCheck,
    /// Cleared; a lawyer meets the prospective client.
    Consultation,
    /// Converted into a client and a matter.
    Engaged,
    /// The firm will not take the matter; a non-engagement letter goes out.
    Declined,
    /// Sent to another firm.
    Referred,
}

impl LeadStage {
    /// Every stage, in board order.
    pub const ALL: [LeadStage; 6] = [
        Self::New,
        Self::ConflictCheck,
        Self::Consultation,
        Self::Engaged,
        Self::Declined,
        Self::Referred,
    ];

    /// Stable identifier (database, API, form values).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::ConflictCheck => "conflict_check",
            Self::Consultation => "consultation",
            Self::Engaged => "engaged",
            Self::Declined => "declined",
            Self::Referred => "referred",
        }
    }

    /// Column heading on the board.
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::ConflictCheck => "Conflict check",
            Self::Consultation => "Consultation",
            Self::Engaged => "Engaged",
            Self::Declined => "Declined",
            Self::Referred => "Referred",
        }
    }

    /// Parses a stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s.trim())
    }

    /// A lead in a final stage no longer moves.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Engaged | Self::Declined | Self::Referred)
    }

    /// Stages a lead may move to by hand. Engagement happens only through conversion (which
    /// creates the client and matter), and only after consultation, so an unchecked lead cannot
    /// become a client by a stray click.
    pub fn moves(self) -> &'static [LeadStage] {
        match self {
            Self::New => &[Self::ConflictCheck, Self::Declined, Self::Referred],
            Self::ConflictCheck => &[Self::Consultation, Self::Declined, Self::Referred],
            Self::Consultation => &[Self::ConflictCheck, Self::Declined, Self::Referred],
            Self::Engaged | Self::Declined | Self::Referred => &[],
        }
    }

    /// Whether a lead in this stage may be converted into a client and matter.
    pub fn may_convert(self) -> bool {
        self == Self::Consultation
    }
}

impl fmt::Display for LeadStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The input control of a form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines.
    Textarea,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One of `options`.
    Select,
}

/// One extra question of a practice area's intake form (name, email, phone and the matter
/// description are always asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// Identifier: lowercase letters, digits and underscores.
    pub name: String,
    /// The question shown.
    pub label: String,
    /// The control.
    pub kind: FieldKind,
    /// Whether an answer is required.
    pub required: bool,
    /// Choices of a `Select`.
    #[serde(default)]
    pub options: Vec<String>,
}

/// Longest accepted answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 5_000;

/// Parses a form configuration written one field per line as
/// `name | label | kind | required | option; option`, the format administrators edit.
pub fn parse_fields(text: &str) -> Result<Vec<FormField>, String> {
    let mut fields: Vec<FormField> = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let at = |msg: &str| format!("line {}: {msg}", i + 1);
        if parts.len() < 2 {
            return Err(at("write name | label | kind | required | options"));
        }
        let name = parts[0].to_lowercase();
        if name.is_empty()
            || name.len() > 40
            || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(at("a field name uses letters, digits and underscores (at most 40)"));
        }
        if ["name", "email", "phone", "description", "adverse_parties", "kind", "website", "_ts"]
            .contains(&name.as_str())
        {
            return Err(at(&format!("{name} is asked on every form already")));
        }
        if fields.iter().any(|f| f.name == name) {
            return Err(at(&format!("the field {name} appears twice")));
        }
        let kind = match parts.get(2).copied().unwrap_or("text") {
            "" | "text" => FieldKind::Text,
            "textarea" => FieldKind::Textarea,
            "date" => FieldKind::Date,
            "select" => FieldKind::Select,
            other => {
                return Err(at(&format!("unknown kind {other:?}: text, textarea, date, select")));
            }
        };
        let required = matches!(parts.get(3).copied(), Some("required" | "yes" | "true"));
        let options: Vec<String> = parts
            .get(4)
            .map(|o| {
                o.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            })
            .unwrap_or_default();
        if kind == FieldKind::Select && options.is_empty() {
            return Err(at("a select field needs options separated by ;"));
        }
        let label = parts[1].to_owned();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(at("a field needs a label of at most 200 characters"));
        }
        fields.push(FormField { name, label, kind, required, options });
    }
    Ok(fields)
}

/// Writes fields back in the format [`parse_fields`] reads.
pub fn format_fields(fields: &[FormField]) -> String {
    fields
        .iter()
        .map(|f| {
            let kind = match f.kind {
                FieldKind::Text => "text",
                FieldKind::Textarea => "textarea",
                FieldKind::Date => "date",
                FieldKind::Select => "select",
            };
            let required = if f.required { "required" } else { "optional" };
            format!("{} | {} | {kind} | {required} | {}", f.name, f.label, f.options.join("; "))
                .trim_end_matches([' ', '|'])
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks the answers to a form's extra fields; returns the kept answers or one message per field.
pub fn validate_answers(
    fields: &[FormField],
    submitted: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<(String, String)>> {
    let mut kept = BTreeMap::new();
    let mut errors = Vec::new();
    for f in fields {
        let value = submitted.get(&f.name).map(|v| v.trim()).unwrap_or("");
        if value.is_empty() {
            if f.required {
                errors.push((f.name.clone(), "this field is required".to_owned()));
            }
            continue;
        }
        if value.chars().count() > MAX_ANSWER_CHARS {
            errors.push((f.name.clone(), format!("use at most {MAX_ANSWER_CHARS} characters")));
            continue;
        }
        match f.kind {
            FieldKind::Date if !is_iso_date(value) => {
                errors.push((f.name.clone(), "use a date like 2026-12-31".to_owned()));
                continue;
            }
            FieldKind::Select if !f.options.iter().any(|o| o == value) => {
                errors.push((f.name.clone(), "choose one of the options".to_owned()));
                continue;
            }
            _ => {}
        }
        kept.insert(f.name.clone(), value.to_owned());
    }
    if errors.is_empty() { Ok(kept) } else { Err(errors) }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The letter the firm starts from; administrators edit it.
pub const DEFAULT_LETTER_TEMPLATE: &str = "{{date}}\n\n{{name}}\n\nRe: Your inquiry about {{practice_area}}\n\nDear {{name}},\n\nThank you for contacting {{firm}}. After reviewing your inquiry, we have decided not to represent you in this matter. This letter confirms that we are not your lawyers and that we have not agreed to take any action on your behalf.\n\nOur decision is not an opinion on the merits of your matter. Legal claims are subject to deadlines (statutes of limitations), which may already be running. If you wish to pursue this matter, we encourage you to consult another lawyer promptly.\n\nWe will keep what you told us confidential.\n\nSincerely,\n\n{{firm}}";

/// Placeholders a letter template may use.
pub const LETTER_PLACEHOLDERS: [&str; 4] = ["name", "date", "practice_area", "firm"];

/// Renders a letter template to HTML: every value is escaped, paragraphs become `<p>`, and
/// unknown placeholders are left visible so a typo in the template shows instead of vanishing.
pub fn render_letter(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut text = escape_html(template);
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), &escape_html(value));
    }
    text.split("\n\n")
        .map(|para| format!("<p>{}</p>", para.trim().replace('\n', "<br>")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks that a template names only known placeholders.
pub fn check_letter_template(template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err("the template is empty".into());
    }
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a placeholder is not closed with }}".into());
        };
        let key = after[..end].trim();
        if !LETTER_PLACEHOLDERS.contains(&key) {
            return Err(format!(
                "unknown placeholder {{{{{key}}}}}; use {}",
                LETTER_PLACEHOLDERS.map(|p| format!("{{{{{p}}}}}")).join(", ")
            ));
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// A person needs at least this long to fill in the form; robots post at once.
pub const MIN_FILL_SECONDS: i64 = 3;
/// A form older than this must be reloaded (the token is not reusable forever).
pub const MAX_FORM_AGE_SECONDS: i64 = 4 * 3600;

/// Why a submission was refused as automated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpamVerdict {
    /// The hidden field that people never see was filled in.
    Honeypot,
    /// The token is missing, forged or for another form.
    BadToken,
    /// Sent sooner than a person could fill the form.
    TooFast,
    /// The form was loaded too long ago.
    Expired,
}

fn keyed_digest(secret: &[u8], message: &str) -> String {
    // Hash of (secret, hash of (secret, message)): a keyed digest not open to length extension.
    let inner = Sha256::new().chain_update(secret).chain_update(message.as_bytes()).finalize();
    hex::encode(Sha256::new().chain_update(secret).chain_update(inner).finalize())
}

/// A token carrying the time the form was served, signed for one practice area's form.
pub fn form_token(secret: &[u8], practice_area: &str, issued_unix: i64) -> String {
    format!("{issued_unix}.{}", keyed_digest(secret, &format!("{practice_area}:{issued_unix}")))
}

/// Checks a submission's spam signals: the honeypot must be empty, the token genuine, and the
/// time since the form was served between [`MIN_FILL_SECONDS`] and [`MAX_FORM_AGE_SECONDS`].
pub fn check_submission(
    secret: &[u8],
    practice_area: &str,
    token: &str,
    honeypot: &str,
    now_unix: i64,
) -> Result<(), SpamVerdict> {
    if !honeypot.trim().is_empty() {
        return Err(SpamVerdict::Honeypot);
    }
    let (issued, _) = token.split_once('.').ok_or(SpamVerdict::BadToken)?;
    let issued: i64 = issued.parse().map_err(|_| SpamVerdict::BadToken)?;
    let expected = form_token(secret, practice_area, issued);
    let same = expected.len() == token.len()
        && expected.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        return Err(SpamVerdict::BadToken);
    }
    let age = now_unix - issued;
    if age < MIN_FILL_SECONDS {
        return Err(SpamVerdict::TooFast);
    }
    if age > MAX_FORM_AGE_SECONDS {
        return Err(SpamVerdict::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_and_only_consultation_converts() {
        for s in LeadStage::ALL {
            assert_eq!(LeadStage::parse(s.as_str()), Some(s));
            assert_eq!(s.is_final(), s.moves().is_empty());
        }
        assert!(LeadStage::Consultation.may_convert());
        assert!(!LeadStage::New.may_convert());
        assert!(!LeadStage::New.moves().contains(&LeadStage::Engaged));
    }

    #[test]
    fn fields_parse_format_and_validate() {
        let fields = parse_fields(
            "incident_date | Date of the accident | date | required\ninjury | Injury | select | optional | minor; serious",
        )
        .expect("valid configuration");
        assert_eq!(fields.len(), 2);
        assert_eq!(parse_fields(&format_fields(&fields)).expect("round trip"), fields);
        assert!(parse_fields("name | Your name").unwrap_err().contains("already"));
        assert!(parse_fields("x | X | select").unwrap_err().contains("options"));
        let mut answers = BTreeMap::new();
        answers.insert("injury".to_owned(), "fatal".to_owned());
        let errors = validate_answers(&fields, &answers).expect_err("two problems");
        assert_eq!(errors.len(), 2, "{errors:?}");
        answers.insert("injury".to_owned(), "minor".to_owned());
        answers.insert("incident_date".to_owned(), "2026-02-30".to_owned());
        assert_eq!(validate_answers(&fields, &answers).expect("valid").len(), 2);
        answers.insert("incident_date".to_owned(), "26-2-3".to_owned());
        assert!(validate_answers(&fields, &answers).is_err());
    }

    #[test]
    fn letters_escape_values_and_templates_are_checked() {
        let mut values = BTreeMap::new();
        values.insert("name", "<b>Eve</b> & Co".to_owned());
        let html = render_letter("Dear {{name}},\n\nNo.", &values);
        assert_eq!(html, "<p>Dear &lt;b&gt;Eve&lt;/b&gt; &amp; Co,</p>\n<p>No.</p>");
        assert!(check_letter_template(DEFAULT_LETTER_TEMPLATE).is_ok());
        assert!(check_letter_template("Hi {{nmae}}").unwrap_err().contains("nmae"));
        assert!(check_letter_template("Hi {{name").is_err());
    }

    #[test]
    fn spam_checks_catch_honeypot_forgery_speed_and_age() {
        let secret = b"s3cret";
        let token = form_token(secret, "family", 1_000);
        assert_eq!(check_submission(secret, "family", &token, "", 1_010), Ok(()));
        assert_eq!(
            check_submission(secret, "family", &token, "http://spam", 1_010),
            Err(SpamVerdict::Honeypot)
        );
        assert_eq!(
            check_submission(secret, "family", &token, "", 1_001),
            Err(SpamVerdict::TooFast)
        );
        assert_eq!(
            check_submission(secret, "family", &token, "", 1_000 + MAX_FORM_AGE_SECONDS + 1),
            Err(SpamVerdict::Expired)
        );
        assert_eq!(check_submission(secret, "tax", &token, "", 1_010), Err(SpamVerdict::BadToken));
        assert_eq!(
            check_submission(b"other", "family", &token, "", 1_010),
            Err(SpamVerdict::BadToken)
        );
        let forged = format!("900.{}", token.split_once('.').unwrap().1);
        assert_eq!(
            check_submission(secret, "family", &forged, "", 1_010),
            Err(SpamVerdict::BadToken)
        );
    }
}
