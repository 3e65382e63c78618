//! What calls take and give: the user's vocabulary as plain data (operations' facts, settings,
//! reports, errors, the scope), with no I/O. It imports nothing else of the crate.

pub(crate) mod error;
pub(crate) mod operation;
pub(crate) mod report;
// The names the runtime keeps (the generator and the CLI include this file too); which lists
// the library reads itself depends on the spec.
#[allow(dead_code)]
pub(crate) mod reserved;
pub(crate) mod retry;
pub(crate) mod scope;
pub(crate) mod stop;
pub(crate) mod text;
pub(crate) mod token;
pub(crate) mod validation;
