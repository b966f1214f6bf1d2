//! The permission model (`spec/rbac.md`): a permission is a resource and an action; built-in
//! roles are data defined here; custom roles and per-user overrides are evaluated with the
//! same function. Deny wins.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use crate::names::string_enum;
use crate::role::TenantRole;

string_enum!(
    /// What a permission is about; the names of the tenant API's resources.
    Resource {
        Practices = "practices",
        Users = "users",
        Roles = "roles",
        Clients = "clients",
        Pets = "pets",
        Appointments = "appointments",
        Rooms = "rooms",
        SoapNotes = "soap-notes",
        Treatments = "treatments",
        Prescriptions = "prescriptions",
        ControlledDrugs = "controlled-drugs",
        Vaccinations = "vaccinations",
        VaccineTypes = "vaccine-types",
        LabOrders = "lab-orders",
        Inventory = "inventory",
        Invoices = "invoices",
        Payments = "payments",
        Reports = "reports",
        AuditLogs = "audit-logs",
        Settings = "settings",
    }
);

string_enum!(
    /// What may be done. `manage` implies read, create, update and delete.
    Action {
        Read = "read",
        Create = "create",
        Update = "update",
        Delete = "delete",
        Manage = "manage",
        Sign = "sign",
        Finalize = "finalize",
        Dispense = "dispense",
        Approve = "approve",
        Export = "export",
    }
);

string_enum!(
    /// What a per-user override does with its permission.
    #[derive(Deserialize)]
    #[serde(rename_all = "lowercase")]
    Effect {
        Grant = "grant",
        Deny = "deny",
    }
);

impl Effect {
    /// The effect of an override stored as `grant` (true) or not.
    pub fn of(grant: bool) -> Self {
        if grant { Self::Grant } else { Self::Deny }
    }
}

/// One permission, written `resource:action` (e.g. `soap-notes:sign`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub resource: Resource,
    pub action: Action,
}

impl Permission {
    pub const fn new(resource: Resource, action: Action) -> Self {
        Self { resource, action }
    }

    /// Parses `resource:action`.
    pub fn parse(s: &str) -> Option<Self> {
        let (r, a) = s.split_once(':')?;
        Some(Self::new(Resource::parse(r)?, Action::parse(a)?))
    }

    /// Whether holding `self` grants `wanted` (`manage` covers the four CRUD actions).
    pub fn covers(self, wanted: Permission) -> bool {
        self == wanted
            || (self.resource == wanted.resource
                && self.action == Action::Manage
                && matches!(
                    wanted.action,
                    Action::Read | Action::Create | Action::Update | Action::Delete
                ))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Permission::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission {s:?}")))
    }
}

use Action::*;
use Resource::*;

const fn p(r: Resource, a: Action) -> Permission {
    Permission::new(r, a)
}

/// Clinical resources, read by most staff.
const CLINICAL: [Resource; 7] = [
    SoapNotes,
    Treatments,
    Prescriptions,
    ControlledDrugs,
    Vaccinations,
    VaccineTypes,
    LabOrders,
];

/// The permissions a built-in role grants.
pub fn role_permissions(role: TenantRole) -> BTreeSet<Permission> {
    let mut out = BTreeSet::new();
    let mut add = |ps: &[Permission]| out.extend(ps.iter().copied());
    match role {
        TenantRole::Administrator => {
            for r in Resource::ALL {
                for a in Action::ALL {
                    add(&[p(r, a)]);
                }
            }
        }
        TenantRole::PracticeAdministrator => {
            for r in Resource::ALL {
                for a in Action::ALL {
                    // Practices themselves are opened and closed by the company.
                    if r == Practices && matches!(a, Create | Delete | Manage) {
                        continue;
                    }
                    add(&[p(r, a)]);
                }
            }
        }
        TenantRole::PracticeManager => {
            add(&[
                p(Practices, Read),
                p(Users, Read),
                p(Roles, Read),
                p(Appointments, Manage),
                p(Rooms, Manage),
                p(Clients, Manage),
                p(Pets, Manage),
                p(Invoices, Manage),
                p(Invoices, Finalize),
                p(Payments, Manage),
                p(Inventory, Manage),
                p(Reports, Read),
                p(Reports, Export),
                p(Settings, Read),
            ]);
            for r in CLINICAL {
                add(&[p(r, Read)]);
            }
        }
        TenantRole::Veterinarian => {
            add(&[
                p(Practices, Read),
                p(Users, Read),
                p(Rooms, Read),
                p(Clients, Read),
                p(Clients, Update),
                p(Pets, Manage),
                p(Appointments, Read),
                p(Appointments, Update),
                p(SoapNotes, Manage),
                p(SoapNotes, Sign),
                p(Treatments, Manage),
                p(Prescriptions, Manage),
                p(Prescriptions, Approve),
                p(Prescriptions, Dispense),
                p(ControlledDrugs, Manage),
                p(Vaccinations, Manage),
                p(VaccineTypes, Read),
                p(LabOrders, Manage),
                p(LabOrders, Approve),
                p(Inventory, Read),
                p(Invoices, Read),
                p(Payments, Read),
                p(Reports, Read),
            ]);
        }
        TenantRole::Technician => {
            add(&[
                p(Practices, Read),
                p(Users, Read),
                p(Rooms, Read),
                p(Clients, Read),
                p(Pets, Read),
                p(Pets, Update),
                p(Appointments, Read),
                p(Appointments, Update),
                p(SoapNotes, Read),
                p(SoapNotes, Create),
                p(SoapNotes, Update),
                p(Treatments, Manage),
                p(Prescriptions, Read),
                p(Prescriptions, Dispense),
                p(ControlledDrugs, Read),
                p(ControlledDrugs, Create),
                p(Vaccinations, Read),
                p(Vaccinations, Create),
                p(VaccineTypes, Read),
                p(LabOrders, Read),
                p(LabOrders, Create),
                p(Inventory, Read),
                p(Inventory, Update),
            ]);
        }
        TenantRole::Receptionist => {
            add(&[
                p(Practices, Read),
                p(Users, Read),
                p(Rooms, Read),
                p(Appointments, Manage),
                p(Clients, Read),
                p(Clients, Create),
                p(Clients, Update),
                p(Pets, Read),
                p(Pets, Create),
                p(Pets, Update),
                p(Invoices, Read),
                p(Payments, Read),
                p(Payments, Create),
                p(Vaccinations, Read),
            ]);
        }
        TenantRole::Client => {
            // Only ever over the client's own records; handlers filter by ownership.
            add(&[
                p(Practices, Read),
                p(Pets, Read),
                p(Appointments, Read),
                p(Appointments, Create),
                p(Appointments, Update),
                // Their pets' signed notes, where the practice lets the portal show them.
                p(SoapNotes, Read),
                p(Vaccinations, Read),
                p(Invoices, Read),
                p(Payments, Read),
                p(Payments, Create),
            ]);
        }
    }
    out
}

/// Whether a role reaches every practice of the company rather than the user's own.
pub fn is_company_wide(role: TenantRole) -> bool {
    role == TenantRole::Administrator
}

/// A per-user grant or deny of one permission, optionally until a time (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Override {
    pub permission: Permission,
    pub grant: bool,
    pub expires_at: Option<i64>,
}

/// Everything a user holds: permissions from their roles (built-in and custom) and their
/// overrides. [`Access::allows`] is the one decision function.
#[derive(Clone, Debug, Default)]
pub struct Access {
    pub granted: BTreeSet<Permission>,
    pub overrides: Vec<Override>,
}

impl Access {
    /// Access from built-in roles, custom roles' permission sets and overrides.
    pub fn new(
        roles: &[TenantRole],
        custom: impl IntoIterator<Item = Permission>,
        overrides: Vec<Override>,
    ) -> Self {
        let mut granted: BTreeSet<Permission> = custom.into_iter().collect();
        for r in roles {
            granted.extend(role_permissions(*r));
        }
        Self { granted, overrides }
    }

    /// Whether `wanted` is allowed at time `now` (Unix seconds). A live deny override wins
    /// over everything; a live grant override adds to the roles.
    pub fn allows(&self, wanted: Permission, now: i64) -> bool {
        let live = |o: &&Override| o.expires_at.is_none_or(|t| t > now);
        if self
            .overrides
            .iter()
            .filter(live)
            .any(|o| !o.grant && o.permission.covers(wanted))
        {
            return false;
        }
        self.granted.iter().any(|g| g.covers(wanted))
            || self
                .overrides
                .iter()
                .filter(live)
                .any(|o| o.grant && o.permission.covers(wanted))
    }

    /// Every permission allowed at `now`, for showing to the user.
    pub fn effective(&self, now: i64) -> BTreeSet<Permission> {
        let mut out = BTreeSet::new();
        for r in Resource::ALL {
            for a in Action::ALL {
                let perm = p(r, a);
                if self.allows(perm, now) {
                    out.insert(perm);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TenantRole as R;

    #[test]
    fn permission_strings_round_trip() {
        for r in Resource::ALL {
            for a in Action::ALL {
                let perm = p(r, a);
                assert_eq!(Permission::parse(&perm.to_string()), Some(perm));
            }
        }
        assert_eq!(Permission::parse("pets"), None);
        assert_eq!(Permission::parse("pets:fly"), None);
        assert_eq!(Permission::parse("dragons:read"), None);
    }

    #[test]
    fn manage_covers_crud_only() {
        let m = p(Pets, Manage);
        for a in [Read, Create, Update, Delete, Manage] {
            assert!(m.covers(p(Pets, a)), "{a}");
        }
        assert!(!m.covers(p(Pets, Export)));
        assert!(!m.covers(p(Clients, Read)));
    }

    /// The built-in roles as a table: (role, permission, allowed).
    #[test]
    fn built_in_roles_table() {
        let cases = [
            (R::Administrator, "practices:create", true),
            (R::Administrator, "roles:manage", true),
            (R::Administrator, "audit-logs:read", true),
            (R::PracticeAdministrator, "users:create", true),
            (R::PracticeAdministrator, "roles:update", true),
            (R::PracticeAdministrator, "practices:update", true),
            (R::PracticeAdministrator, "practices:create", false),
            (R::PracticeManager, "appointments:delete", true),
            (R::PracticeManager, "invoices:finalize", true),
            (R::PracticeManager, "users:create", false),
            (R::PracticeManager, "roles:update", false),
            (R::PracticeManager, "soap-notes:sign", false),
            (R::Veterinarian, "soap-notes:sign", true),
            (R::Veterinarian, "prescriptions:create", true),
            (R::Veterinarian, "controlled-drugs:create", true),
            (R::Veterinarian, "invoices:read", true),
            (R::Veterinarian, "invoices:finalize", false),
            (R::Veterinarian, "users:create", false),
            (R::Technician, "treatments:create", true),
            (R::Technician, "soap-notes:update", true),
            (R::Technician, "soap-notes:sign", false),
            (R::Technician, "prescriptions:create", false),
            (R::Receptionist, "appointments:create", true),
            (R::Receptionist, "payments:create", true),
            (R::Receptionist, "soap-notes:read", false),
            (R::Receptionist, "users:create", false),
            (R::Client, "pets:read", true),
            (R::Client, "appointments:create", true),
            (R::Client, "users:read", false),
            (R::Client, "clients:read", false),
            (R::Client, "audit-logs:read", false),
        ];
        for (role, perm, allowed) in cases {
            let perm = Permission::parse(perm).expect(perm);
            let access = Access::new(&[role], [], vec![]);
            assert_eq!(access.allows(perm, 0), allowed, "{role:?} {perm}");
        }
    }

    #[test]
    fn overrides_grant_deny_and_expire() {
        let read_audit = p(AuditLogs, Read);
        let base = Access::new(&[R::Receptionist], [], vec![]);
        assert!(!base.allows(read_audit, 100));
        let granted = Access::new(
            &[R::Receptionist],
            [],
            vec![Override {
                permission: read_audit,
                grant: true,
                expires_at: Some(200),
            }],
        );
        assert!(granted.allows(read_audit, 100));
        assert!(!granted.allows(read_audit, 200), "expired at 200");
        let denied = Access::new(
            &[R::Administrator],
            [],
            vec![
                Override {
                    permission: p(Users, Manage),
                    grant: false,
                    expires_at: None,
                },
                Override {
                    permission: p(Users, Delete),
                    grant: true,
                    expires_at: None,
                },
            ],
        );
        assert!(
            !denied.allows(p(Users, Delete), 0),
            "deny wins over a grant"
        );
        assert!(!denied.allows(p(Users, Read), 0));
        assert!(denied.allows(p(Roles, Read), 0));
    }

    #[test]
    fn custom_role_permissions_count() {
        let access = Access::new(&[], [p(Reports, Export)], vec![]);
        assert!(access.allows(p(Reports, Export), 0));
        assert!(!access.allows(p(Reports, Read), 0));
        assert_eq!(access.effective(0).len(), 1);
    }
}
