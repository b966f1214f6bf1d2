//! Authentication and authorisation: session tokens and cookies, login throttling, the
//! tenant principal and its permission check, plan feature gates, and the platform principal.

pub mod feature;
pub mod impersonation;
pub mod owner;
pub mod perms;
pub mod signin;
pub mod signup;
pub mod tenant;
pub mod throttle;
pub mod token;

pub use feature::Featured;
pub use owner::{OwnerCall, PlatformPrincipal};
pub use perms::Perm;
pub use tenant::{Authorized, TenantPrincipal};
