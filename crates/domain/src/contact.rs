//! Contacts: people and organizations, their other names, and how they relate to each other.

use crate::{DomainError, Id, string_enum};
use chrono::{DateTime, Utc};

string_enum! {
    pub enum ContactKind ("contact kind") {
        Person = "person" / "Person",
        Organization = "organization" / "Organization",
    }
}

string_enum! {
    /// Directed relationships: `from` is `kind` of `to` ("Ann is employee of Acme").
    pub enum RelationshipKind ("relationship") {
        EmployeeOf = "employee_of" / "Employee of",
        ParentOf = "parent_of" / "Parent of",
        SubsidiaryOf = "subsidiary_of" / "Subsidiary of",
        SpouseOf = "spouse_of" / "Spouse of",
        AffiliateOf = "affiliate_of" / "Affiliate of",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub id: Id,
    pub kind: ContactKind,
    pub name: String,
    /// Other names the contact is known by (trade names, maiden names, nicknames).
    pub aliases: Vec<String>,
    /// Names the contact used to have: conflict checks must still find them.
    pub former_names: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub addresses: Vec<String>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
}

impl Contact {
    /// Every name the contact is known by, primary first.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.former_names.iter().map(String::as_str))
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "a contact needs a name"));
        }
        if self.name.chars().count() > 300 {
            return Err(DomainError::invalid("name", "use at most 300 characters"));
        }
        for email in &self.emails {
            crate::user::normalize_email(email)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relationship {
    pub id: Id,
    pub from_contact: Id,
    pub kind: RelationshipKind,
    pub to_contact: Id,
}

/// An existing contact that looks like the one being entered, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateHint {
    pub contact_id: Id,
    pub name: String,
    pub reason: String,
}

/// Folds case, accents, punctuation, word order and common company suffixes so that
/// "ACME Holdings, Inc." and "acme holdings" compare equal.
pub fn normalize_name(name: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "plc",
        "nv",
        "bv",
        "pc",
        "pllc",
        "the",
    ];
    let ascii = deunicode::deunicode(name).to_lowercase();
    // Dots and apostrophes join ("S.A." is "sa", "O'Brien" is "obrien"); other punctuation splits.
    let cleaned: String = ascii
        .chars()
        .filter(|c| !matches!(c, '.' | '\''))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> =
        cleaned.split_whitespace().filter(|w| !SUFFIXES.contains(w)).collect();
    words.sort_unstable();
    words.join(" ")
}

/// Finds likely duplicates of `candidate` among `existing` contacts (same normalized name,
/// near-identical name, or a shared email address).
pub fn likely_duplicates<'a>(
    candidate_names: &[&str],
    candidate_emails: &[String],
    existing: impl IntoIterator<Item = &'a Contact>,
) -> Vec<DuplicateHint> {
    let wanted: Vec<String> =
        candidate_names.iter().map(|n| normalize_name(n)).filter(|n| !n.is_empty()).collect();
    let emails: Vec<String> = candidate_emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let mut hints = Vec::new();
    for contact in existing {
        let mut reason = None;
        if let Some(email) = contact.emails.iter().find(|e| emails.contains(&e.to_lowercase())) {
            reason = Some(format!("same email address {email}"));
        }
        for name in contact.all_names() {
            if reason.is_some() {
                break;
            }
            let normalized = normalize_name(name);
            for w in &wanted {
                if *w == normalized {
                    reason = Some(format!("same name as \"{name}\""));
                } else if strsim::jaro_winkler(w, &normalized) >= 0.93 {
                    reason = Some(format!("name close to \"{name}\""));
                }
            }
        }
        if let Some(reason) = reason {
            hints.push(DuplicateHint {
                contact_id: contact.id,
                name: contact.name.clone(),
                reason,
            });
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(input: &str, expect: Expect) {
        expect.assert_eq(&normalize_name(input));
    }

    #[test]
    fn names_fold_case_accents_suffixes_and_order() {
        check("ACME Holdings, Inc.", expect!["acme holdings"]);
        check("Holdings ACME LLC", expect!["acme holdings"]);
        check("Société Générale S.A.", expect!["generale societe"]);
        check("Müller GmbH & Co. KG", expect!["kg muller"]);
    }

    fn contact(name: &str, email: &str) -> Contact {
        Contact {
            id: Id(uuid::Uuid::nil()),
            kind: ContactKind::Organization,
            name: name.into(),
            aliases: vec![],
            former_names: vec!["Old Name Ltd".into()],
            emails: vec![email.into()],
            phones: vec![],
            addresses: vec![],
            notes: String::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn duplicates_are_found_by_name_former_name_and_email() {
        let existing = [contact("Acme Holdings Inc.", "legal@acme.com")];
        let by_name = likely_duplicates(&["acme holdings"], &[], &existing);
        assert_eq!(by_name.len(), 1);
        assert!(by_name[0].reason.contains("same name"));
        let by_former = likely_duplicates(&["Old Name"], &[], &existing);
        assert_eq!(by_former.len(), 1);
        let by_email = likely_duplicates(&["Zeta"], &["LEGAL@acme.com".into()], &existing);
        assert!(by_email[0].reason.contains("email"));
        assert!(likely_duplicates(&["Globex"], &[], &existing).is_empty());
    }
}
