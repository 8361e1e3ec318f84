//! Users and their roles: the firm's own people, external individuals and members of provider organizations.

use crate::{Id, string_enum};
use chrono::{DateTime, Utc};

string_enum! {
    /// What a user is to the firm. External roles see only what is assigned to them.
    pub enum Role ("role") {
        Admin = "admin" / "Administrator",
        Attorney = "attorney" / "Attorney",
        Staff = "staff" / "Staff",
        VirtualAssistant = "virtual_assistant" / "Virtual assistant",
        LpoManager = "lpo_manager" / "LPO manager",
        LpoReviewer = "lpo_reviewer" / "LPO reviewer",
        Client = "client" / "Client (portal)",
    }
}

impl Role {
    /// People outside the firm: they never see the firm's contact book or unassigned matters.
    pub fn is_external(self) -> bool {
        matches!(self, Role::VirtualAssistant | Role::LpoManager | Role::LpoReviewer | Role::Client)
    }

    /// Members of an LPO provider organization must belong to one.
    pub fn needs_organization(self) -> bool {
        matches!(self, Role::LpoManager | Role::LpoReviewer)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Id,
    /// Lower-cased; unique. Used to sign in.
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The provider organization (a contact) an LPO member belongs to.
    pub organization_id: Option<Id>,
    /// Deactivated users cannot sign in; users are never hard-deleted so the audit log stays meaningful.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Normalizes an email address for storage and comparison.
pub fn normalize_email(raw: &str) -> Result<String, crate::DomainError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        });
    if valid {
        Ok(email)
    } else {
        Err(crate::DomainError::invalid("email", "enter an address like name@example.com"))
    }
}

/// Minimum password rules: long enough to resist guessing, no composition rules (NIST SP 800-63B).
pub fn check_password_strength(password: &str) -> Result<(), crate::DomainError> {
    if password.chars().count() < 12 {
        return Err(crate::DomainError::invalid("password", "use at least 12 characters"));
    }
    if password.len() > 1024 {
        return Err(crate::DomainError::invalid("password", "use at most 1024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(normalize_email("  Ann@Firm.COM ").unwrap(), "ann@firm.com");
        assert!(normalize_email("ann").is_err());
        assert!(normalize_email("ann@firm").is_err());
        assert!(normalize_email("a nn@firm.com").is_err());
    }

    #[test]
    fn external_roles() {
        let external: Vec<_> = Role::ALL.iter().filter(|r| r.is_external()).collect();
        assert_eq!(
            external,
            [&Role::VirtualAssistant, &Role::LpoManager, &Role::LpoReviewer, &Role::Client]
        );
        assert_eq!(Role::parse("LPO manager").unwrap(), Role::LpoManager);
    }
}
