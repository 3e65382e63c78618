//! The request body: one media type, and a schema for a JSON one.

use serde_json::Value;

use super::{Operation, is_json, resolve};

/// Checks the operation's request body, if it has one that resolves: it has `content`, exactly
/// one media type, and a schema when that media type is JSON.
pub(super) fn check(op: &mut Operation<'_>) {
    let Some(rb) = op.op.get("requestBody").and_then(|rb| resolve(op.tree, rb)) else { return };
    match rb.get("content").and_then(Value::as_object) {
        None => op.push(op.at(&["requestBody"]), "the request body has no `content`".into()),
        Some(content) if content.len() != 1 => op.push(
            op.at(&["requestBody", "content"]),
            format!(
                "the request body has {} media types ({}); exactly one is supported",
                content.len(),
                content.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ),
        Some(content) => {
            for (mt, media) in content {
                if is_json(mt) && media.get("schema").is_none() {
                    op.push(op.at(&["requestBody", "content", mt]), format!("the `{mt}` request body has no schema"));
                }
            }
        }
    }
}
