//! CHANGELOG.md in keep-a-changelog's format: `## [Unreleased]`, then `## [VERSION] - DATE` per
//! release, newest first, each with `### Added` / `### Changed` / `### Removed` / … entries.

/// The heading of the entries not released yet.
pub const UNRELEASED: &str = "## [Unreleased]";

/// The body of `## [Unreleased]`: from its heading to the next `## ` heading.
pub fn unreleased(text: &str) -> Result<&str, String> {
    let start = text
        .find(&format!("{UNRELEASED}\n"))
        .ok_or_else(|| format!("CHANGELOG.md has no `{UNRELEASED}` heading (keep-a-changelog's format)"))?
        + UNRELEASED.len()
        + 1;
    let end = text[start..].find("\n## ").map(|i| start + i + 1).unwrap_or(text.len());
    Ok(&text[start..end])
}

/// Whether a section holds an entry: a line that is not blank, not a heading and not a comment.
pub fn has_entries(section: &str) -> bool {
    section.lines().map(str::trim).any(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("<!--"))
}

/// The changelog with `## [Unreleased]`'s entries moved under `## [version] - date`, and
/// `## [Unreleased]` left empty.
pub fn release(text: &str, version: &str, date: &str) -> Result<String, String> {
    if text.contains(&format!("## [{version}]")) {
        return Err(format!("CHANGELOG.md already has a `## [{version}]` section"));
    }
    let body = unreleased(text)?;
    if !has_entries(body) {
        return Err(format!(
            "CHANGELOG.md's `{UNRELEASED}` is empty: write what this release changes for users there first"
        ));
    }
    let start = text.find(&format!("{UNRELEASED}\n")).expect("found above");
    let end = start + UNRELEASED.len() + 1 + body.len();
    Ok(format!("{}{UNRELEASED}\n\n## [{version}] - {date}\n\n{}\n\n{}", &text[..start], body.trim(), &text[end..])
        .trim_end()
        .to_string()
        + "\n")
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    date_of_day((secs / 86_400) as i64)
}

/// The civil date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn date_of_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Removed\n\n- The source-image operations.\n\n## [0.1.0] - 2026-12-01\n\n### Added\n\n- Everything.\n";

    #[test]
    fn a_release_moves_the_unreleased_entries_under_its_heading() {
        assert!(has_entries(unreleased(TEXT).unwrap()));
        let released = release(TEXT, "0.2.0", "2026-12-02").unwrap();
        assert_eq!(
            released,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-02\n\n### Removed\n\n- The source-image operations.\n\n## [0.1.0] - 2026-12-01\n\n### Added\n\n- Everything.\n"
        );
        assert!(!has_entries(unreleased(&released).unwrap()));
        assert!(release(&released, "0.3.0", "2026-12-03").unwrap_err().contains("is empty"));
        assert!(release(TEXT, "0.1.0", "2026-12-03").unwrap_err().contains("already has"));
        assert!(!has_entries("\n### Added\n\n<!-- nothing yet -->\n"));
    }

    #[test]
    fn dates_are_civil_dates_in_utc() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(date_of_day(20_424), "2025-12-02");
        assert_eq!(date_of_day(11_016), "2000-02-29");
    }
}
