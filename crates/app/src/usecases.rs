//! Use cases over users, contacts, clients, matters and work items, each checked against the policy.

use crate::auth::{actor_of, hash_password, one_time_password};
use crate::{App, AppError, Result};
use chrono::NaiveDate;
use domain::numbering::NumberScheme;
use domain::policy::{MatterAccess, WorkAccess};
use domain::validate::{optional, required};
use domain::{
    Action, Actor, Client, Contact, ContactKind, DuplicateHint, Id, Matter, MatterParty,
    MatterStatus, PartyRole, Priority, Relationship, RelationshipKind, Role, ServiceLine, Unit,
    User, WorkItem, WorkStatus,
};
use rust_decimal::Decimal;
use store::{
    Attachment, AuditEntry, MatterFilter, MatterInput, MatterRow, Page, WorkComment, WorkFilter,
    WorkItemRow,
};

pub const NUMBER_SCHEME_KEY: &str = "matter_number_scheme";

/// The conflict message for an update based on an outdated version of a work item.
pub const STALE_WORK_ITEM: &str =
    "this work item was changed by someone else; reload and try again";

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub organization_id: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContactForm {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub aliases: String,
    #[serde(default)]
    pub former_names: String,
    #[serde(default)]
    pub emails: String,
    #[serde(default)]
    pub phones: String,
    #[serde(default)]
    pub addresses: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct MatterForm {
    pub client_id: String,
    pub title: String,
    #[serde(default)]
    pub practice_area: String,
    #[serde(default)]
    pub court: String,
    #[serde(default)]
    pub case_number: String,
    #[serde(default)]
    pub responsible_attorney: String,
    #[serde(default)]
    pub originating_attorney: String,
    #[serde(default)]
    pub onshore_only: Option<String>,
    #[serde(default)]
    pub opened_on: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WorkForm {
    pub service_line: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub volume: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub assignee: String,
}

/// Everything the matter page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MatterView {
    pub matter: Matter,
    pub client: Client,
    pub parties: Vec<MatterParty>,
    pub team: Vec<User>,
    pub walls: Vec<(User, String)>,
    pub work_items: Vec<WorkItemRow>,
    pub can_edit: bool,
    pub can_manage_team: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkView {
    pub row: WorkItemRow,
    pub comments: Vec<WorkComment>,
    pub attachments: Vec<Attachment>,
    pub can_manage: bool,
    pub next_statuses: Vec<WorkStatus>,
}

fn opt_id(field: &str, s: &str) -> Result<Option<Id>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    Id::parse(s).map(Some).map_err(|_| AppError::Invalid {
        field: field.into(),
        message: "choose an entry from the list".into(),
    })
}

fn parse_date(field: &str, s: &str) -> Result<Option<NaiveDate>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| AppError::Invalid {
        field: field.into(),
        message: "use a date like 2026-12-31".into(),
    })
}

pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;
const ALLOWED_ATTACHMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("doc", "application/msword"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("eml", "message/rfc822"),
    ("msg", "application/vnd.ms-outlook"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("zip", "application/zip"),
];

/// The content type lawdesk will serve an upload as, decided from its extension (never from the
/// browser's claim), or an error for types it does not accept.
pub fn attachment_type(filename: &str) -> Result<&'static str> {
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    ALLOWED_ATTACHMENT_TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t).ok_or_else(|| {
        AppError::Invalid {
            field: "file".into(),
            message: format!(
                "files of type .{ext} are not accepted; use one of {}",
                ALLOWED_ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect::<Vec<_>>().join(", ")
            ),
        }
    })
}

impl App {
    // ---- users -------------------------------------------------------------------------------

    /// Creates the first administrator if there are no users; returns the one-time password.
    pub async fn bootstrap_admin(&self, email: &str) -> Result<Option<(User, String)>> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let system = Actor {
            user_id: Id::new_at(self.now()),
            role: Role::Admin,
            organization_id: None,
            active: true,
        };
        let (user, pw) = self
            .create_user_unchecked(&system, email, "Administrator", Role::Admin, None, true)
            .await?;
        Ok(Some((user, pw)))
    }

    async fn create_user_unchecked(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
        org: Option<Id>,
        system: bool,
    ) -> Result<(User, String)> {
        let email = domain::user::normalize_email(email)?;
        let display_name = required("display_name", name, 120)?;
        if role.needs_organization() && org.is_none() {
            return Err(AppError::Invalid {
                field: "organization_id".into(),
                message: "LPO members belong to a provider organization".into(),
            });
        }
        let now = self.now();
        let user = User {
            id: Id::new_at(now),
            email,
            display_name,
            role,
            organization_id: org,
            active: true,
            created_at: now,
        };
        let password = one_time_password();
        let hash = hash_password(&password)?;
        let mut ev = store::AuditEvent::new(
            now,
            (!system).then_some(actor.user_id),
            "user.create",
            "user",
            user.id,
        );
        ev.detail = serde_json::json!({"email": user.email, "role": role.as_str()});
        self.store.create_user(&user, &hash, ev).await?;
        Ok((user, password))
    }

    /// Creates a user with a one-time password the admin passes on.
    pub async fn create_user(&self, actor: &Actor, input: &NewUser) -> Result<(User, String)> {
        self.require(actor, Action::ManageUsers)?;
        let role = Role::parse(&input.role)?;
        let org = opt_id("organization_id", input.organization_id.as_deref().unwrap_or(""))?;
        self.create_user_unchecked(actor, &input.email, &input.display_name, role, org, false).await
    }

    /// Sets a new one-time password (for `lawdesk admin reset-password` and the admin page).
    pub async fn reset_password(&self, actor: &Actor, user: Id) -> Result<String> {
        self.require(actor, Action::ManageUsers)?;
        let pw = one_time_password();
        let ev = self.event(actor, "user.password_reset", "user", user);
        self.store.set_password_hash(user, &hash_password(&pw)?, self.now(), ev).await?;
        Ok(pw)
    }

    pub async fn list_users(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<(Vec<User>, bool)> {
        self.require(actor, Action::ManageUsers)?;
        Ok(self.store.list_users(q, page).await?)
    }

    pub async fn user(&self, actor: &Actor, id: Id) -> Result<User> {
        if actor.user_id != id {
            self.require(actor, Action::ManageUsers)?;
        }
        Ok(self.store.user(id).await?)
    }

    /// Changes role or active flag; both are permission changes and audited as such. An admin
    /// cannot demote or deactivate themself, so a firm is never left without an administrator by accident.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: Id,
        role: Role,
        active: bool,
        display_name: &str,
    ) -> Result<User> {
        self.require(actor, Action::ManageUsers)?;
        let mut user = self.store.user(id).await?;
        if id == actor.user_id && (role != Role::Admin || !active) {
            return Err(AppError::Conflict(
                "you cannot remove your own administrator access".into(),
            ));
        }
        let before = (user.role, user.active);
        user.role = role;
        user.active = active;
        user.display_name = required("display_name", display_name, 120)?;
        let action = if before.0 != role {
            "user.role_change"
        } else if before.1 != active {
            "user.active_change"
        } else {
            "user.update"
        };
        let ev = self.event(actor, action, "user", id).with(serde_json::json!({
            "role": {"from": before.0.as_str(), "to": role.as_str()},
            "active": {"from": before.1, "to": active},
        }));
        self.store.update_user(&user, self.now(), ev).await?;
        Ok(user)
    }

    pub async fn users_with_roles(&self, roles: &[Role]) -> Result<Vec<User>> {
        Ok(self.store.users_with_roles(roles).await?)
    }

    // ---- contacts ----------------------------------------------------------------------------

    fn contact_from_form(&self, id: Id, f: &ContactForm) -> Result<Contact> {
        let emails = domain::validate::list(&f.emails);
        for e in &emails {
            domain::user::normalize_email(e).map_err(|_| AppError::Invalid {
                field: "emails".into(),
                message: format!("{e:?} is not an email address"),
            })?;
        }
        Ok(Contact {
            id,
            kind: ContactKind::parse(if f.kind.is_empty() { "person" } else { &f.kind })?,
            name: required("name", &f.name, 300)?,
            aliases: domain::validate::list(&f.aliases),
            former_names: domain::validate::list(&f.former_names),
            emails,
            phones: domain::validate::list(&f.phones),
            addresses: domain::validate::list(&f.addresses),
            notes: optional("notes", &f.notes, 10_000)?,
            created_at: self.now(),
        })
    }

    /// Existing contacts that look like the one described by the form (shown as a warning).
    pub async fn duplicate_hints(
        &self,
        actor: &Actor,
        f: &ContactForm,
        except: Option<Id>,
    ) -> Result<Vec<DuplicateHint>> {
        self.require(actor, Action::ViewContacts)?;
        let mut names = vec![f.name.as_str()];
        let aliases = domain::validate::list(&f.aliases);
        names.extend(aliases.iter().map(String::as_str));
        let emails = domain::validate::list(&f.emails);
        let candidates = self.store.duplicate_candidates(&names, &emails).await?;
        Ok(domain::contact::likely_duplicates(
            &names,
            &emails,
            candidates.iter().filter(|c| Some(c.id) != except),
        ))
    }

    pub async fn create_contact(
        &self,
        actor: &Actor,
        f: &ContactForm,
    ) -> Result<(Contact, Vec<DuplicateHint>)> {
        self.require(actor, Action::EditContacts)?;
        let hints = self.duplicate_hints(actor, f, None).await?;
        let c = self.contact_from_form(Id::new_at(self.now()), f)?;
        let ev = self
            .event(actor, "contact.create", "contact", c.id)
            .with(serde_json::json!({"name": c.name}));
        self.store.create_contact(&c, ev).await?;
        Ok((c, hints))
    }

    pub async fn update_contact(&self, actor: &Actor, id: Id, f: &ContactForm) -> Result<Contact> {
        self.require(actor, Action::EditContacts)?;
        let existing = self.store.contact(id).await?;
        let mut c = self.contact_from_form(id, f)?;
        c.created_at = existing.created_at;
        let ev = self
            .event(actor, "contact.update", "contact", id)
            .with(serde_json::json!({"name": c.name}));
        self.store.update_contact(&c, self.now(), ev).await?;
        Ok(c)
    }

    pub async fn contact(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<(Contact, Vec<(Relationship, String)>, Vec<(Matter, PartyRole)>)> {
        self.require(actor, Action::ViewContacts)?;
        let c = self.store.contact(id).await?;
        let rels = self.store.relationships_of(id).await?;
        let matters = self.store.matters_of_contact(id).await?;
        Ok((c, rels, matters))
    }

    pub async fn list_contacts(
        &self,
        actor: &Actor,
        q: Option<&str>,
        kind: Option<ContactKind>,
        page: Page,
    ) -> Result<(Vec<Contact>, bool)> {
        self.require(actor, Action::ViewContacts)?;
        Ok(self.store.list_contacts(q, kind, page).await?)
    }

    pub async fn relate(
        &self,
        actor: &Actor,
        from: Id,
        kind: RelationshipKind,
        to: Id,
    ) -> Result<()> {
        self.require(actor, Action::EditContacts)?;
        let r =
            Relationship { id: Id::new_at(self.now()), from_contact: from, kind, to_contact: to };
        let ev = self
            .event(actor, "contact.relate", "contact", from)
            .with(serde_json::json!({"kind": kind.as_str(), "to": to.to_string()}));
        Ok(self.store.add_relationship(&r, self.now(), ev).await?)
    }

    // ---- clients -----------------------------------------------------------------------------

    /// Makes an existing contact a client, or creates the contact first when `contact` is None.
    pub async fn create_client(
        &self,
        actor: &Actor,
        contact: Option<Id>,
        name: &str,
        kind: ContactKind,
        code: &str,
    ) -> Result<Client> {
        self.require(actor, Action::EditClients)?;
        let code = required("code", code, 20)?.to_uppercase();
        if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AppError::Invalid {
                field: "code".into(),
                message: "use letters, digits and hyphens".into(),
            });
        }
        let contact = match contact {
            Some(id) => self.store.contact(id).await?,
            None => {
                let form = ContactForm {
                    kind: kind.as_str().into(),
                    name: name.into(),
                    ..Default::default()
                };
                self.create_contact(actor, &form).await?.0
            }
        };
        let client = Client {
            id: Id::new_at(self.now()),
            contact_id: contact.id,
            name: contact.name.clone(),
            code,
            created_at: self.now(),
        };
        let ev = self
            .event(actor, "client.create", "client", client.id)
            .with(serde_json::json!({"name": client.name, "code": client.code}));
        self.store.create_client(&client, ev).await?;
        Ok(client)
    }

    pub async fn list_clients(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<(Vec<Client>, bool)> {
        self.require(actor, Action::ViewClients)?;
        Ok(self.store.list_clients(q, page).await?)
    }

    pub async fn client(&self, actor: &Actor, id: Id) -> Result<Client> {
        self.require(actor, Action::ViewClients)?;
        Ok(self.store.client(id).await?)
    }

    // ---- matters -----------------------------------------------------------------------------

    pub async fn number_scheme(&self) -> Result<NumberScheme> {
        let template = self
            .store
            .setting(NUMBER_SCHEME_KEY)
            .await?
            .unwrap_or_else(|| NumberScheme::DEFAULT.to_string());
        Ok(NumberScheme::parse(&template)?)
    }

    pub async fn set_number_scheme(&self, actor: &Actor, template: &str) -> Result<()> {
        self.require(actor, Action::ManageUsers)?;
        NumberScheme::parse(template)?;
        let ev = self
            .event(actor, "settings.number_scheme", "settings", NUMBER_SCHEME_KEY)
            .with(serde_json::json!({"template": template}));
        Ok(self.store.set_setting(NUMBER_SCHEME_KEY, template, ev).await?)
    }

    pub async fn create_matter(&self, actor: &Actor, f: &MatterForm) -> Result<Matter> {
        self.require(actor, Action::CreateMatter)?;
        let client_id = opt_id("client_id", &f.client_id)?.ok_or_else(|| AppError::Invalid {
            field: "client_id".into(),
            message: "choose a client".into(),
        })?;
        let client = self.store.client(client_id).await?;
        let now = self.now();
        let matter = Matter {
            id: Id::new_at(now),
            number: String::new(),
            client_id,
            title: required("title", &f.title, 300)?,
            practice_area: optional("practice_area", &f.practice_area, 100)?,
            court: optional("court", &f.court, 200)?,
            case_number: optional("case_number", &f.case_number, 100)?,
            status: MatterStatus::Open,
            responsible_attorney: opt_id("responsible_attorney", &f.responsible_attorney)?,
            originating_attorney: opt_id("originating_attorney", &f.originating_attorney)?,
            onshore_only: f
                .onshore_only
                .as_deref()
                .is_some_and(|v| matches!(v, "on" | "true" | "1" | "yes")),
            opened_on: parse_date("opened_on", &f.opened_on)?.unwrap_or(now.date_naive()),
            closed_on: None,
            created_at: now,
        };
        // The creator joins the team so they can see what they just opened.
        let team = if actor.role == Role::Admin { vec![] } else { vec![actor.user_id] };
        let input = MatterInput { matter, client_code: client.code, team };
        let scheme = self.number_scheme().await?;
        let ev = self.event(actor, "matter.create", "matter", "");
        let m = self.store.create_matter(&input, &scheme, ev).await?;
        self.auto_check_matter(actor, &m).await?; // intake: every new matter is conflict-checked
        Ok(m)
    }

    async fn matter_access(&self, actor: &Actor, id: Id) -> Result<MatterAccess> {
        Ok(self.store.matter_access(actor, id).await?)
    }

    pub async fn list_matters(
        &self,
        actor: &Actor,
        f: &MatterFilter,
        page: Page,
    ) -> Result<(Vec<MatterRow>, bool)> {
        self.require(actor, Action::ListMatters)?;
        Ok(self.store.list_matters(actor, f, page).await?)
    }

    /// The matter page; opening it is a view of a sensitive record and is audited.
    pub async fn matter(&self, actor: &Actor, id: Id) -> Result<MatterView> {
        let access = self.matter_access(actor, id).await?;
        self.require(actor, Action::ViewMatter(access))?;
        let matter = self.store.matter(id).await?;
        let internal = !actor.role.is_external();
        let filter =
            WorkFilter { matter_id: Some(id), sort: Some("due".into()), ..Default::default() };
        let (work_items, _) = self.store.list_work_items(actor, &filter, Page::new(1, 200)).await?;
        let view = MatterView {
            client: self.store.client(matter.client_id).await?,
            parties: if internal { self.store.parties(id).await? } else { vec![] },
            team: if internal { self.store.team(id).await? } else { vec![] },
            walls: if internal { self.store.walls(id).await? } else { vec![] },
            work_items,
            can_edit: domain::Policy::allows(actor, Action::EditMatter(access)),
            can_manage_team: domain::Policy::allows(actor, Action::ManageMatterTeam(access)),
            matter,
        };
        self.store.audit(self.event(actor, "matter.view", "matter", id)).await?;
        Ok(view)
    }

    pub async fn set_matter_status(
        &self,
        actor: &Actor,
        id: Id,
        status: MatterStatus,
    ) -> Result<Matter> {
        let access = self.matter_access(actor, id).await?;
        self.require(actor, Action::EditMatter(access))?;
        let mut m = self.store.matter(id).await?;
        let before = m.status;
        m.status = status;
        m.closed_on =
            if status == MatterStatus::Closed { Some(self.now().date_naive()) } else { None };
        let ev = self
            .event(actor, "matter.status", "matter", id)
            .with(serde_json::json!({"from": before.as_str(), "to": status.as_str()}));
        self.store.update_matter(&m, self.now(), ev).await?;
        Ok(m)
    }

    /// Adds a party; `contact` may be an existing contact or a new name.
    pub async fn add_party(
        &self,
        actor: &Actor,
        matter: Id,
        contact: Option<Id>,
        new_name: &str,
        kind: ContactKind,
        role: PartyRole,
    ) -> Result<Id> {
        let access = self.matter_access(actor, matter).await?;
        self.require(actor, Action::EditMatter(access))?;
        let contact = match contact {
            Some(c) => self.store.contact(c).await?.id,
            None => {
                let form = ContactForm {
                    kind: kind.as_str().into(),
                    name: new_name.into(),
                    ..Default::default()
                };
                self.create_contact(actor, &form).await?.0.id
            }
        };
        let ev = self
            .event(actor, "matter.party_add", "matter", matter)
            .with(serde_json::json!({"contact": contact.to_string(), "role": role.as_str()}));
        let id = self.store.add_party(matter, contact, role, self.now(), ev).await?;
        self.auto_check_party(actor, matter, contact, role).await?; // intake: every added party is checked
        Ok(id)
    }

    pub async fn remove_party(&self, actor: &Actor, matter: Id, party: Id) -> Result<()> {
        let access = self.matter_access(actor, matter).await?;
        self.require(actor, Action::EditMatter(access))?;
        let ev = self
            .event(actor, "matter.party_remove", "matter", matter)
            .with(serde_json::json!({"party": party.to_string()}));
        Ok(self.store.remove_party(matter, party, ev).await?)
    }

    pub async fn set_team_member(
        &self,
        actor: &Actor,
        matter: Id,
        user: Id,
        member: bool,
    ) -> Result<()> {
        let access = self.matter_access(actor, matter).await?;
        self.require(actor, Action::ManageMatterTeam(access))?;
        let target = self.store.user(user).await?;
        if target.role.is_external() {
            return Err(AppError::Invalid {
                field: "user".into(),
                message: "external users get access through assigned work, not the team".into(),
            });
        }
        let ev = self
            .event(
                actor,
                if member { "matter.team_add" } else { "matter.team_remove" },
                "matter",
                matter,
            )
            .with(serde_json::json!({"user": user.to_string()}));
        Ok(self.store.set_team_member(matter, user, member, self.now(), ev).await?)
    }

    pub async fn add_wall(&self, actor: &Actor, matter: Id, user: Id, reason: &str) -> Result<()> {
        let access = self.matter_access(actor, matter).await?;
        self.require(actor, Action::ManageMatterTeam(access))?;
        let ev = self
            .event(actor, "matter.wall_add", "matter", matter)
            .with(serde_json::json!({"user": user.to_string(), "reason": reason}));
        Ok(self.store.add_wall(matter, user, reason, self.now(), ev).await?)
    }

    // ---- work items --------------------------------------------------------------------------

    async fn work_access(&self, actor: &Actor, id: Id) -> Result<(Id, WorkAccess)> {
        Ok(self.store.work_access(actor, id).await?)
    }

    async fn check_assignee(&self, matter: &Matter, assignee: Option<Id>) -> Result<()> {
        let Some(a) = assignee else { return Ok(()) };
        let user = self.store.user(a).await.map_err(|_| AppError::Invalid {
            field: "assignee".into(),
            message: "unknown user".into(),
        })?;
        if !user.active {
            return Err(AppError::Invalid {
                field: "assignee".into(),
                message: "this user is deactivated".into(),
            });
        }
        let access = self.store.matter_access(&actor_of(&user), matter.id).await?;
        if access.walled {
            return Err(AppError::Invalid {
                field: "assignee".into(),
                message: "this user is walled off the matter".into(),
            });
        }
        // Onshore-only matters and excluded providers: the delegation rules hold on this path too.
        self.check_channel_rules(matter, &user).await?;
        if !user.role.is_external() && user.role != Role::Admin && !access.on_team {
            return Err(AppError::Invalid {
                field: "assignee".into(),
                message: "add this user to the matter team first".into(),
            });
        }
        Ok(())
    }

    fn work_from_form(&self, id: Id, matter: Id, by: Id, f: &WorkForm) -> Result<WorkItem> {
        let now = self.now();
        let volume = if f.volume.trim().is_empty() {
            Decimal::ZERO
        } else {
            f.volume.trim().replace(',', "").parse::<Decimal>().map_err(|_| AppError::Invalid {
                field: "volume".into(),
                message: "enter a number".into(),
            })?
        };
        let assignee = opt_id("assignee", &f.assignee)?;
        Ok(WorkItem {
            id,
            matter_id: matter,
            service_line: ServiceLine::parse(&f.service_line)?,
            title: required("title", &f.title, 300)?,
            description: optional("description", &f.description, 20_000)?,
            volume,
            unit: Unit::parse(if f.unit.is_empty() { "hours" } else { &f.unit })?,
            due_on: parse_date("due_on", &f.due_on)?,
            priority: Priority::parse(if f.priority.is_empty() { "normal" } else { &f.priority })?,
            assignee,
            status: if assignee.is_some() { WorkStatus::Assigned } else { WorkStatus::New },
            created_by: by,
            created_at: now,
            updated_at: now,
        })
    }

    pub async fn create_work_item(
        &self,
        actor: &Actor,
        matter: Id,
        f: &WorkForm,
    ) -> Result<WorkItem> {
        let access = self.matter_access(actor, matter).await?;
        self.require(actor, Action::CreateWorkItem(access))?;
        let m = self.store.matter(matter).await?;
        let w = self.work_from_form(Id::new_at(self.now()), matter, actor.user_id, f)?;
        self.check_assignee(&m, w.assignee).await?;
        let ev = self.event(actor, "work.create", "work_item", w.id).with(serde_json::json!({
            "matter": matter.to_string(), "title": w.title, "assignee": w.assignee.map(|a| a.to_string())
        }));
        self.store.create_work_item(&w, ev).await?;
        Ok(w)
    }

    pub async fn work_item(&self, actor: &Actor, id: Id) -> Result<WorkView> {
        let (_, access) = self.work_access(actor, id).await?;
        self.require(actor, Action::ViewWorkItem(access))?;
        let row = self.store.work_item(id).await?;
        Ok(WorkView {
            next_statuses: row.item.status.next().to_vec(),
            comments: self.store.comments(id).await?,
            attachments: self.store.attachments(id).await?,
            can_manage: domain::Policy::allows(actor, Action::ManageWorkItem(access)),
            row,
        })
    }

    pub async fn list_work_items(
        &self,
        actor: &Actor,
        f: &WorkFilter,
        page: Page,
    ) -> Result<(Vec<WorkItemRow>, bool)> {
        Ok(self.store.list_work_items(actor, f, page).await?)
    }

    /// Moves a work item along its workflow (assignees may do this).
    pub async fn set_work_status(
        &self,
        actor: &Actor,
        id: Id,
        to: WorkStatus,
        version: i64,
    ) -> Result<i64> {
        let (_, access) = self.work_access(actor, id).await?;
        self.require(actor, Action::UpdateWorkItem(access))?;
        let row = self.store.work_item(id).await?;
        // A stale version is a conflict even when the move would be invalid from the new
        // status: the caller decided on what they saw, so they must reload first.
        if row.version != version {
            return Err(AppError::Conflict(STALE_WORK_ITEM.into()));
        }
        let mut w = row.item;
        let from = w.status;
        w.status = from.transition(to)?;
        w.updated_at = self.now();
        let ev = self
            .event(actor, "work.status", "work_item", id)
            .with(serde_json::json!({"from": from.as_str(), "to": to.as_str()}));
        Ok(self.store.update_work_item(&w, version, ev).await?)
    }

    /// Edits scope or reassigns (the firm, or the LPO manager for their organization's work).
    pub async fn update_work_item(
        &self,
        actor: &Actor,
        id: Id,
        f: &WorkForm,
        version: i64,
    ) -> Result<i64> {
        let (matter_id, access) = self.work_access(actor, id).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        let current = self.store.work_item(id).await?.item;
        let mut w = self.work_from_form(id, matter_id, current.created_by, f)?;
        w.created_at = current.created_at;
        w.status = match (current.status, w.assignee) {
            (WorkStatus::New, Some(_)) => WorkStatus::Assigned,
            (WorkStatus::Assigned, None) => WorkStatus::New,
            (s, _) => s,
        };
        if actor.role == Role::LpoManager
            && let Some(a) = w.assignee
            && self.store.user(a).await?.organization_id != actor.organization_id
        {
            return Err(AppError::Invalid {
                field: "assignee".into(),
                message: "assign within your organization".into(),
            });
        }
        self.check_assignee(&self.store.matter(matter_id).await?, w.assignee).await?;
        let ev = self.event(actor, "work.update", "work_item", id).with(serde_json::json!({
            "assignee": {"from": current.assignee.map(|a| a.to_string()), "to": w.assignee.map(|a| a.to_string())},
            "title": w.title,
        }));
        Ok(self.store.update_work_item(&w, version, ev).await?)
    }

    pub async fn comment(&self, actor: &Actor, id: Id, body: &str) -> Result<()> {
        let (_, access) = self.work_access(actor, id).await?;
        self.require(actor, Action::UpdateWorkItem(access))?;
        let c = WorkComment {
            id: Id::new_at(self.now()),
            work_item_id: id,
            author: actor.user_id,
            author_name: String::new(),
            body: required("body", body, 20_000)?,
            created_at: self.now(),
        };
        let ev = self.event(actor, "work.comment", "work_item", id);
        Ok(self.store.add_comment(&c, ev).await?)
    }

    pub async fn attach(
        &self,
        actor: &Actor,
        id: Id,
        filename: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let (_, access) = self.work_access(actor, id).await?;
        self.require(actor, Action::UpdateWorkItem(access))?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(AppError::Invalid {
                field: "file".into(),
                message: format!("files may be at most {} MB", MAX_ATTACHMENT_BYTES / 1024 / 1024),
            });
        }
        // Keep only the last path component and printable characters of the name the user sent.
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("file")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let name = if name.trim().is_empty() { "file".to_string() } else { name };
        let content_type = attachment_type(&name)?;
        let a = Attachment {
            id: Id::new_at(self.now()),
            work_item_id: id,
            blob_sha256: String::new(),
            filename: name,
            content_type: content_type.into(),
            size: 0,
            uploaded_by: actor.user_id,
            created_at: self.now(),
        };
        let ev = self
            .event(actor, "work.attach", "work_item", id)
            .with(serde_json::json!({"filename": a.filename}));
        Ok(self.store.add_attachment(&a, bytes, ev).await?)
    }

    pub async fn attachment_bytes(
        &self,
        actor: &Actor,
        attachment: Id,
    ) -> Result<(Attachment, Vec<u8>)> {
        let a = self.store.attachment(attachment).await?;
        let (_, access) = self.work_access(actor, a.work_item_id).await?;
        self.require(actor, Action::ViewWorkItem(access))?;
        let bytes = self.store.blobs().get(&a.blob_sha256).await?;
        Ok((a, bytes))
    }

    // ---- audit -------------------------------------------------------------------------------

    pub async fn audit_entries(
        &self,
        actor: &Actor,
        entity: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        self.require(actor, Action::ViewAuditLog)?;
        Ok(self.store.audit_entries(entity, limit.clamp(1, 1000)).await?)
    }
}
