//! `--save-failed`: the file of every item not done, for the next run's `--tags-from`. Checked
//! before anything is sent, written whole (a temporary file renamed into place) or in place for a
//! device or a pipe, and a write that fails loses neither the report nor the run's exit code.

use std::io::Write;
use std::process::ExitCode;

use crate::Failure;
use crate::input::Items;

/// The run's exit code, once its report is printed and `--save-failed` was written
/// (`not_saved`: why the write failed, if it did). A write that failed is said last, on stderr
/// (the report, and `--json`'s `notDone`, still list every item not done; its `ok` is false and
/// `saveFailed` says why), and a run that was otherwise done exits 1 for it; any other run keeps
/// the code that says why it ended.
pub fn after_saving(code: u8, not_saved: Option<String>) -> ExitCode {
    match not_saved {
        Some(why) => {
            tell!("error: {why}");
            ExitCode::from(code.max(1))
        }
        None => ExitCode::from(code),
    }
}

/// Refuses a `--save-failed` that could not be written, before anything is sent: a command
/// without a selection has no items to save (its exit code says whether it was done), and, when
/// the run sends (`probe`), a file must be one its directory lets it create (tried, and removed).
pub fn can_save(path: &std::path::Path, command: &str, items: &Items, probe: bool) -> Result<(), Failure> {
    if items.selection.is_none() {
        return Err(Failure::usage(format!(
            "--save-failed saves the items not done, and {command} takes none: its exit code says whether it was \
             done. Nothing was sent."
        )));
    }
    let refuse = |why: String| Failure::usage(format!("--save-failed {}: {why}. Nothing was sent.", path.display()));
    // `dir/` names a directory, even one that does not exist yet.
    if path.is_dir() || path.file_name().is_none() || path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(refuse("is a directory".to_string()));
    }
    // A device or a pipe is written in place at the end, not probed: opening a pipe would wait
    // for its reader, and closing it would end what the reader reads.
    if !probe || special(path) {
        return Ok(());
    }
    let temporary = temporary(path);
    let created = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary);
    created.map(|_| drop(std::fs::remove_file(&temporary))).map_err(|e| refuse(format!("cannot be written ({e})")))
}

/// Whether `path` is there and not a regular file (`/dev/null`, `/dev/stderr`, a pipe): written
/// in place, never replaced by a rename (as root, that would put a file where the device was).
fn special(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The temporary file `--save-failed` is written to before it takes its name: beside it, so
/// that the rename stays on one file system.
fn temporary(path: &std::path::Path) -> std::path::PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes every item not done, one per line, through a temporary file renamed into place; else
/// says why it could not.
pub fn save_failed<'i>(path: &std::path::Path, not_done: impl Iterator<Item = &'i str>) -> Result<(), String> {
    let mut text = String::new();
    for item in not_done {
        text.push_str(item);
        text.push('\n');
    }
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if special(path) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(fail);
    }
    let tmp = temporary(path);
    // A new file of ours (never one already there, nor through a link put in its place), on
    // disk before it takes the name: a failed write or rename, or a crash, leaves neither a
    // half-written file under the name nor a temporary file of ours.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(fail)?;
    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).and_then(|()| std::fs::rename(&tmp, path)).map_err(
        |e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        },
    )
}
