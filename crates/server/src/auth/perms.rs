//! Permission marker types for [`crate::auth::Authorized`]: a handler declares
//! `Authorized<perms::UsersCreate>` and the check runs before its body.

use smartdmv_domain::perm::{Action, Permission, Resource};

/// A permission known at compile time.
pub trait Perm: Send + Sync + 'static {
    const PERM: Permission;
}

macro_rules! perms {
    ($($name:ident = $r:ident : $a:ident),* $(,)?) => {
        $(
            #[doc = concat!("`", stringify!($r), ":", stringify!($a), "`")]
            pub struct $name;
            impl Perm for $name {
                const PERM: Permission = Permission::new(Resource::$r, Action::$a);
            }
        )*
    };
}

perms!(
    PracticesRead = Practices: Read,
    PracticesCreate = Practices: Create,
    PracticesUpdate = Practices: Update,
    UsersRead = Users: Read,
    UsersCreate = Users: Create,
    UsersUpdate = Users: Update,
    UsersDelete = Users: Delete,
    RolesRead = Roles: Read,
    RolesCreate = Roles: Create,
    RolesUpdate = Roles: Update,
    RolesDelete = Roles: Delete,
    AuditLogsRead = AuditLogs: Read,
    PracticesDelete = Practices: Delete,
    ClientsRead = Clients: Read,
    ClientsCreate = Clients: Create,
    ClientsUpdate = Clients: Update,
    ClientsDelete = Clients: Delete,
    PetsRead = Pets: Read,
    PetsCreate = Pets: Create,
    PetsUpdate = Pets: Update,
    PetsDelete = Pets: Delete,
    AppointmentsRead = Appointments: Read,
    AppointmentsCreate = Appointments: Create,
    AppointmentsUpdate = Appointments: Update,
    AppointmentsDelete = Appointments: Delete,
    RoomsRead = Rooms: Read,
    RoomsCreate = Rooms: Create,
    RoomsUpdate = Rooms: Update,
    RoomsDelete = Rooms: Delete,
    SettingsRead = Settings: Read,
    SettingsUpdate = Settings: Update,
    SoapNotesRead = SoapNotes: Read,
    SoapNotesCreate = SoapNotes: Create,
    SoapNotesUpdate = SoapNotes: Update,
    SoapNotesDelete = SoapNotes: Delete,
    SoapNotesSign = SoapNotes: Sign,
    LabOrdersRead = LabOrders: Read,
    LabOrdersCreate = LabOrders: Create,
    LabOrdersUpdate = LabOrders: Update,
    LabOrdersApprove = LabOrders: Approve,
);
