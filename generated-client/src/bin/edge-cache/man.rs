//! `edge-cache man`: one man page for the whole CLI, from the clap definition `--help` comes from
//! (clap_mangen). clap_mangen renders one command a page and refers to `edge-cache-invalidate(1)`
//! and the like, which no one installs; here every command is a section of the one page, with its
//! own options (the global ones are listed once, at the top), and the notes after the options
//! (examples, waits, exit codes) keep their lines.

use std::io::Write;

use clap_mangen::Man;

/// The page, in roff.
pub fn page() -> std::io::Result<Vec<u8>> {
    let mut cmd = crate::args::command();
    cmd.build();
    let top = Man::new(cmd.clone());
    let mut out = Vec::new();
    top.render_title(&mut out)?;
    top.render_name_section(&mut out)?;
    top.render_synopsis_section(&mut out)?;
    top.render_description_section(&mut out)?;
    top.render_options_section(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let name = format!("edge-cache {}", sub.get_name());
        // Its own options only: the global ones are the top's.
        let own =
            sub.clone().name(&name).bin_name(&name).mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
        let man = Man::new(own);
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)?;
        man.render_description_section(&mut section)?;
        man.render_options_section(&mut section)?;
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        for line in String::from_utf8_lossy(&section).lines() {
            match line.strip_prefix(".SH ") {
                // Its synopsis and description open the section; its options are a subsection.
                Some("SYNOPSIS") => {}
                Some("DESCRIPTION") => writeln!(out, ".PP")?,
                Some(heading) => writeln!(out, ".SS {heading}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    if let Some(notes) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        // Lines as `--help` shows them (tables of exit codes), not refilled.
        writeln!(out, ".SH NOTES\n.nf")?;
        for line in notes.to_string().lines() {
            writeln!(out, "{}", roff_line(line))?;
        }
        writeln!(out, ".fi")?;
    }
    top.render_version_section(&mut out)?;
    Ok(out)
}

/// A line of text as roff reads it literally: backslashes doubled, and a leading `.` or `'`
/// (a request) made text.
fn roff_line(line: &str) -> String {
    let line = line.replace('\\', "\\\\");
    if line.starts_with('.') || line.starts_with('\'') { format!("\\&{line}") } else { line }
}
