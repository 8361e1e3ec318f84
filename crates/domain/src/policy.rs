//! Authorization: who may do what. A pure function of the actor and the facts about the target,
//! so every route asks the same question and the answers are tested exhaustively.
//!
//! Invariants:
//! - An ethical wall on a matter excludes the walled user from it, whatever their role (admins too).
//! - Internal users see a matter only when on its team; admins see every matter that does not wall them.
//! - External users (virtual assistants, LPO members, clients) see only work assigned to them
//!   (to their organization, for an LPO manager) and the matters those items belong to, never the
//!   firm's contact book or other matters.
//! - Inactive users may do nothing.

use crate::{Id, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Id,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub active: bool,
}

/// What is known about the actor's relation to one matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatterAccess {
    pub on_team: bool,
    pub walled: bool,
    /// At least one work item on the matter is assigned to the actor (or, for an LPO manager,
    /// to a member of their organization).
    pub has_assigned_work: bool,
    pub is_responsible_attorney: bool,
}

/// What is known about the actor's relation to one work item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkAccess {
    pub matter: MatterAccess,
    pub assigned_to_actor: bool,
    /// Assigned to a member of the actor's organization (matters for LPO managers).
    pub assigned_to_actor_org: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageUsers,
    ViewAuditLog,
    ViewContacts,
    EditContacts,
    ViewClients,
    EditClients,
    CreateMatter,
    ListMatters,
    ViewMatter(MatterAccess),
    EditMatter(MatterAccess),
    ManageMatterTeam(MatterAccess),
    CreateWorkItem(MatterAccess),
    ViewWorkItem(WorkAccess),
    UpdateWorkItem(WorkAccess),
    /// Reassigning or editing scope (title, volume, due date) is for the firm, not the assignee.
    ManageWorkItem(WorkAccess),
    ImportData,
    Backup,
}

pub struct Policy;

impl Policy {
    pub fn allows(actor: &Actor, action: Action) -> bool {
        use Action::*;
        if !actor.active {
            return false;
        }
        let role = actor.role;
        let internal = !role.is_external();
        let firm_staff = matches!(role, Role::Admin | Role::Attorney | Role::Staff);
        match action {
            ManageUsers | ViewAuditLog | Backup => role == Role::Admin,
            ImportData => matches!(role, Role::Admin | Role::Attorney),
            ViewContacts | EditContacts | ViewClients | EditClients | CreateMatter => firm_staff,
            ListMatters => role != Role::Client,
            ViewMatter(m) => Self::sees_matter(actor, m),
            EditMatter(m) => firm_staff && Self::sees_matter(actor, m),
            ManageMatterTeam(m) => {
                !m.walled
                    && (role == Role::Admin
                        || (role == Role::Attorney && m.is_responsible_attorney))
            }
            CreateWorkItem(m) => internal && Self::sees_matter(actor, m),
            ViewWorkItem(w) | UpdateWorkItem(w) => Self::sees_work(actor, w),
            ManageWorkItem(w) => {
                (firm_staff && Self::sees_matter(actor, w.matter))
                    || (role == Role::LpoManager && Self::sees_work(actor, w))
            }
        }
    }

    fn sees_matter(actor: &Actor, m: MatterAccess) -> bool {
        if m.walled {
            return false;
        }
        match actor.role {
            Role::Admin => true,
            Role::Attorney | Role::Staff => m.on_team,
            Role::VirtualAssistant | Role::LpoManager | Role::LpoReviewer => m.has_assigned_work,
            Role::Client => false,
        }
    }

    fn sees_work(actor: &Actor, w: WorkAccess) -> bool {
        if w.matter.walled {
            return false;
        }
        match actor.role {
            Role::Admin | Role::Attorney | Role::Staff => Self::sees_matter(actor, w.matter),
            Role::VirtualAssistant | Role::LpoReviewer => w.assigned_to_actor,
            Role::LpoManager => w.assigned_to_actor || w.assigned_to_actor_org,
            Role::Client => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor { user_id: Id(uuid::Uuid::nil()), role, organization_id: None, active: true }
    }

    #[test]
    fn walls_beat_every_role() {
        let walled = MatterAccess {
            on_team: true,
            walled: true,
            has_assigned_work: true,
            is_responsible_attorney: true,
        };
        for role in Role::ALL {
            assert!(!Policy::allows(&actor(*role), Action::ViewMatter(walled)), "{role}");
            let w =
                WorkAccess { matter: walled, assigned_to_actor: true, assigned_to_actor_org: true };
            assert!(!Policy::allows(&actor(*role), Action::ViewWorkItem(w)), "{role}");
        }
    }

    #[test]
    fn externals_never_see_contacts_and_only_assigned_work() {
        for role in Role::ALL.iter().filter(|r| r.is_external()) {
            let a = actor(*role);
            assert!(!Policy::allows(&a, Action::ViewContacts));
            let unassigned = WorkAccess::default();
            assert!(!Policy::allows(&a, Action::ViewWorkItem(unassigned)));
            assert!(!Policy::allows(&a, Action::ViewMatter(MatterAccess::default())));
        }
        let reviewer = actor(Role::LpoReviewer);
        let mine = WorkAccess {
            matter: MatterAccess { has_assigned_work: true, ..Default::default() },
            assigned_to_actor: true,
            assigned_to_actor_org: true,
        };
        assert!(Policy::allows(&reviewer, Action::UpdateWorkItem(mine)));
        assert!(!Policy::allows(&reviewer, Action::ManageWorkItem(mine)));
        assert!(Policy::allows(&actor(Role::LpoManager), Action::ManageWorkItem(mine)));
    }

    #[test]
    fn team_membership_gates_internal_users_but_not_admins() {
        let off_team = MatterAccess::default();
        assert!(Policy::allows(&actor(Role::Admin), Action::ViewMatter(off_team)));
        assert!(!Policy::allows(&actor(Role::Attorney), Action::ViewMatter(off_team)));
        let on_team = MatterAccess { on_team: true, ..Default::default() };
        assert!(Policy::allows(&actor(Role::Staff), Action::EditMatter(on_team)));
    }

    #[test]
    fn inactive_users_may_do_nothing() {
        let mut admin = actor(Role::Admin);
        admin.active = false;
        assert!(!Policy::allows(&admin, Action::ManageUsers));
    }
}
