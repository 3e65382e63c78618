//! What calls take and give: the user's vocabulary as plain data (operations' facts, settings,
//! reports, errors, the scope), with no I/O. It imports nothing else of the crate.

pub(crate) mod error;
pub(crate) mod operation;
pub(crate) mod report;
pub(crate) mod retry;
pub(crate) mod scope;
pub(crate) mod stop;
pub(crate) mod text;
pub(crate) mod token;
pub(crate) mod validation;
