//! A realistic demo firm so a new user can explore every screen at once.

use crate::auth::hash_password;
use crate::{App, ContactForm, MatterForm, Result, WorkForm};
use domain::{Actor, ContactKind, Id, PartyRole, RelationshipKind, Role, User};

/// The password every demo user shares; printed by `lawdesk demo`.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// What the platform part of the demo created, for the capabilities to build on.
#[derive(Debug, Clone)]
pub struct DemoFirm {
    /// admin, alice, ben, sam, vera, manoj, priya (in that order).
    pub users: Vec<User>,
    /// 2026-0001 Acme v. Initech, 2026-0002 Rivera estate, 2026-0003 Harbor County (onshore only).
    pub matters: [Id; 3],
    /// The contact of the LPO provider organization (Meridian) that manoj and priya belong to.
    pub lpo_organization: Id,
}

pub struct DemoSummary {
    pub users: Vec<(String, Role)>,
    pub matters: usize,
    pub work_items: usize,
}

impl App {
    /// Loads the demo firm. Refuses when matters already exist so real data is never mixed in.
    pub async fn load_demo(&self) -> Result<DemoSummary> {
        if self.store.count("matters").await? > 0 {
            return Err(crate::AppError::Conflict(
                "the database already has matters; the demo loads only into an empty firm".into(),
            ));
        }
        let now = self.now();
        let system = Actor {
            user_id: Id::new_at(now),
            role: Role::Admin,
            organization_id: None,
            active: true,
        };
        let hash = hash_password(DEMO_PASSWORD)?;
        let org = self
            .create_contact(
                &system,
                &ContactForm {
                    kind: "organization".into(),
                    name: "Meridian Legal Process Services Pvt. Ltd.".into(),
                    ..Default::default()
                },
            )
            .await?
            .0;
        let people = [
            ("admin@demo.lawdesk", "Dana Admin", Role::Admin, None),
            ("alice@demo.lawdesk", "Alice Barton", Role::Attorney, None),
            ("ben@demo.lawdesk", "Ben Okafor", Role::Attorney, None),
            ("sam@demo.lawdesk", "Sam Reyes", Role::Staff, None),
            ("vera@demo.lawdesk", "Vera Lindqvist", Role::VirtualAssistant, None),
            ("manoj@demo.lawdesk", "Manoj Iyer", Role::LpoManager, Some(org.id)),
            ("priya@demo.lawdesk", "Priya Nair", Role::LpoReviewer, Some(org.id)),
        ];
        let mut users = Vec::new();
        for (email, name, role, org) in people {
            let user = User {
                id: Id::new_at(self.now()),
                email: email.into(),
                display_name: name.into(),
                role,
                organization_id: org,
                active: true,
                created_at: now,
            };
            if self.store.user_for_sign_in(email).await?.is_none() {
                let ev = store::AuditEvent::new(now, None, "user.create", "user", user.id)
                    .with(serde_json::json!({"demo": true}));
                self.store.create_user(&user, &hash, ev).await?;
            }
            users.push(self.store.user_for_sign_in(email).await?.expect("just created").user);
        }
        let actor = |i: usize| crate::auth::actor_of(&users[i]);
        let (admin, alice, ben, _sam, vera, _manoj, priya) =
            (actor(0), actor(1), actor(2), actor(3), actor(4), actor(5), actor(6));

        let acme = self
            .create_client(&admin, None, "Acme Holdings, Inc.", ContactKind::Organization, "ACME")
            .await?;
        let subsidiary = self
            .create_contact(
                &admin,
                &ContactForm {
                    kind: "organization".into(),
                    name: "Acme Logistics LLC".into(),
                    aliases: "Acme Freight".into(),
                    ..Default::default()
                },
            )
            .await?
            .0;
        self.relate(&admin, subsidiary.id, RelationshipKind::SubsidiaryOf, acme.contact_id).await?;
        let rivera =
            self.create_client(&admin, None, "Maria Rivera", ContactKind::Person, "RIVERA").await?;
        let county = self
            .create_client(&admin, None, "Harbor County", ContactKind::Organization, "HARBOR")
            .await?;

        let matter = |client: Id,
                      title: &str,
                      area: &str,
                      court: &str,
                      case: &str,
                      attorney: &User,
                      onshore: bool| MatterForm {
            client_id: client.to_string(),
            title: title.into(),
            practice_area: area.into(),
            court: court.into(),
            case_number: case.into(),
            responsible_attorney: attorney.id.to_string(),
            originating_attorney: attorney.id.to_string(),
            onshore_only: onshore.then(|| "on".into()),
            opened_on: String::new(),
        };
        let m1 = self
            .create_matter(
                &alice,
                &matter(
                    acme.id,
                    "Acme Holdings v. Initech Corp.",
                    "Commercial litigation",
                    "S.D.N.Y.",
                    "1:26-cv-04412",
                    &users[1],
                    false,
                ),
            )
            .await?;
        self.add_party(
            &alice,
            m1.id,
            None,
            "Initech Corp.",
            ContactKind::Organization,
            PartyRole::AdverseParty,
        )
        .await?;
        self.add_party(
            &alice,
            m1.id,
            None,
            "Sullivan & Pryce LLP",
            ContactKind::Organization,
            PartyRole::OpposingCounsel,
        )
        .await?;
        self.add_party(
            &alice,
            m1.id,
            None,
            "Hon. Ruth Castellano",
            ContactKind::Person,
            PartyRole::Judge,
        )
        .await?;
        self.set_team_member(&alice, m1.id, users[3].id, true).await?;
        let m2 = self
            .create_matter(
                &ben,
                &matter(rivera.id, "Rivera estate plan", "Estates", "", "", &users[2], false),
            )
            .await?;
        let m3 = self
            .create_matter(
                &alice,
                &matter(
                    county.id,
                    "Harbor County public records compliance",
                    "Government",
                    "",
                    "",
                    &users[1],
                    true,
                ),
            )
            .await?;
        self.add_wall(&admin, m3.id, users[2].id, "Ben advised the county's counterparty in 2024")
            .await?;

        let work = |line: &str,
                    title: &str,
                    volume: &str,
                    unit: &str,
                    due: &str,
                    priority: &str,
                    assignee: Option<&User>| WorkForm {
            service_line: line.into(),
            title: title.into(),
            description: format!("{title}. Created by the demo loader."),
            volume: volume.into(),
            unit: unit.into(),
            due_on: due.into(),
            priority: priority.into(),
            assignee: assignee.map(|u| u.id.to_string()).unwrap_or_default(),
        };
        let items = [
            (
                m1.id,
                &alice,
                work(
                    "document_review",
                    "First-level review of Initech production",
                    "50000",
                    "documents",
                    "2027-01-15",
                    "high",
                    Some(&users[6]),
                ),
            ),
            (
                m1.id,
                &alice,
                work(
                    "litigation_support",
                    "Prepare deposition binders",
                    "12",
                    "hours",
                    "2026-12-18",
                    "normal",
                    None,
                ),
            ),
            (
                m1.id,
                &alice,
                work(
                    "calendar_communication",
                    "Docket scheduling order deadlines",
                    "2",
                    "hours",
                    "2026-12-04",
                    "urgent",
                    Some(&users[4]),
                ),
            ),
            (
                m2.id,
                &ben,
                work(
                    "drafting",
                    "Draft revocable trust and pour-over will",
                    "6",
                    "hours",
                    "2026-12-20",
                    "normal",
                    Some(&users[4]),
                ),
            ),
            (
                m2.id,
                &ben,
                work(
                    "billing_invoicing",
                    "Prepare November invoice",
                    "1.5",
                    "hours",
                    "2026-12-02",
                    "normal",
                    None,
                ),
            ),
            (
                m3.id,
                &alice,
                work(
                    "compliance_monitoring",
                    "Monitor Federal Register for records rules",
                    "20",
                    "hours",
                    "2027-02-01",
                    "low",
                    None,
                ),
            ),
        ];
        let mut n = 0;
        for (matter, who, form) in &items {
            self.create_work_item(who, *matter, form).await?;
            n += 1;
        }
        // Some progress so lists show more than one status.
        let (rows, _) =
            self.list_work_items(&priya, &Default::default(), store::Page::default()).await?;
        if let Some(r) = rows.first() {
            self.set_work_status(&priya, r.item.id, domain::WorkStatus::InProgress, r.version)
                .await?;
            self.comment(
                &priya,
                r.item.id,
                "Batch 1 of 10 started; privilege hits flagged for second level.",
            )
            .await?;
        }
        let (rows, _) =
            self.list_work_items(&vera, &Default::default(), store::Page::default()).await?;
        if let Some(r) = rows.iter().find(|r| r.item.title.starts_with("Docket")) {
            self.set_work_status(&vera, r.item.id, domain::WorkStatus::InProgress, r.version)
                .await?;
        }
        let firm = DemoFirm {
            users: users.clone(),
            matters: [m1.id, m2.id, m3.id],
            lpo_organization: org.id,
        };
        crate::delegation::demo(self, &firm).await?;
        crate::docket::demo(self, &firm).await?;
        crate::billing::demo(self, &firm).await?;
        crate::intake::demo(self, &firm).await?;
        crate::review::demo(self, &firm).await?;
        crate::search::demo(self, &firm).await?;
        Ok(DemoSummary {
            users: users.iter().map(|u| (u.email.clone(), u.role)).collect(),
            matters: 3,
            work_items: n,
        })
    }
}
