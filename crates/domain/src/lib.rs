//! Pure domain model of lawdesk: users, roles, contacts, clients, matters, work items, and the authorization rules over them.
