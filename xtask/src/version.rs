//! The crate's version: `MAJOR.MINOR.PATCH`, and the bump a change needs.

use std::fmt;
use std::path::Path;

use generator::api_diff::Class;

/// A release version (no pre-release or build part: the crate publishes none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    /// `1.2.3`; anything else is an error that says what a version looks like.
    pub fn parse(text: &str) -> Result<Version, String> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let numbers: Option<Vec<u64>> =
            parts.iter().map(|p| if p.is_empty() || p.starts_with('+') { None } else { p.parse().ok() }).collect();
        match numbers.as_deref() {
            Some([major, minor, patch]) => Ok(Version { major: *major, minor: *minor, patch: *patch }),
            _ => Err(format!("`{text}` is not a version: MAJOR.MINOR.PATCH, such as 0.2.0")),
        }
    }

    /// The version a change of `class` needs after this one: a breaking change bumps the major
    /// version (the minor one at 0.x), any other change the patch; no change, none.
    pub fn bump(self, class: Option<Class>) -> Version {
        match class {
            None => self,
            Some(Class::Breaking) if self.major == 0 => Version { major: 0, minor: self.minor + 1, patch: 0 },
            Some(Class::Breaking) => Version { major: self.major + 1, minor: 0, patch: 0 },
            Some(_) => Version { patch: self.patch + 1, ..self },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The most severe class among `classes` (breaking, then additive or behaviour).
pub fn worst(classes: impl IntoIterator<Item = Class>) -> Option<Class> {
    classes.into_iter().min()
}

/// The requirement users write for this version: `0.1` for 0.1.x, `1` for 1.x.
pub fn requirement(v: Version) -> String {
    if v.major == 0 { format!("0.{}", v.minor) } else { v.major.to_string() }
}

/// A README whose dependency lines for `package` (`package = "0.1"`, `package = { version =
/// "0.1", … }`) ask for `from`'s requirement, asking for `to`'s.
pub fn set_in_readme(text: &str, package: &str, from: Version, to: Version) -> String {
    let (old, new) = (format!("\"{}\"", requirement(from)), format!("\"{}\"", requirement(to)));
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        if line.starts_with(&format!("{package} = ")) {
            out.push(line.replace(&old, &new));
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

/// The `version` of a package manifest's `[package]` table.
pub fn of_manifest(text: &str, path: &Path) -> Result<Version, String> {
    let line = package_version_line(text)
        .ok_or_else(|| format!("{}: no `version = \"…\"` line in [package]", path.display()))?;
    let value = text.lines().nth(line).unwrap_or_default();
    let quoted = value.split('"').nth(1).ok_or_else(|| format!("{}: cannot read `{value}`", path.display()))?;
    Version::parse(quoted).map_err(|e| format!("{}: {e}", path.display()))
}

/// The index of the `version = "…"` line of `[package]`.
fn package_version_line(text: &str) -> Option<usize> {
    let mut in_package = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[package]";
        } else if in_package && t.starts_with("version") && t.contains('=') && t.contains('"') {
            return Some(i);
        }
    }
    None
}

/// The manifest with `[package]`'s version set to `version`.
pub fn set_in_manifest(text: &str, version: Version) -> Option<String> {
    let index = package_version_line(text)?;
    let mut out: Vec<String> = text.lines().map(str::to_string).collect();
    out[index] = format!("version = \"{version}\"");
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    Some(joined)
}

/// The lockfile with package `name`'s version set to `version`.
pub fn set_in_lockfile(text: &str, name: &str, version: Version) -> Option<String> {
    let marker = format!("[[package]]\nname = \"{name}\"\nversion = \"");
    let start = text.find(&marker)? + marker.len();
    let end = start + text[start..].find('"')?;
    Some(format!("{}{version}{}", &text[..start], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_zero_dot_a_breaking_change_bumps_the_minor_version_and_others_the_patch() {
        let v = Version::parse("0.1.0").unwrap();
        assert_eq!(v.bump(Some(Class::Breaking)).to_string(), "0.2.0");
        assert_eq!(v.bump(Some(Class::Additive)).to_string(), "0.1.1");
        assert_eq!(v.bump(Some(Class::Behaviour)).to_string(), "0.1.1");
        assert_eq!(v.bump(None).to_string(), "0.1.0");
        assert_eq!(Version::parse("1.4.2").unwrap().bump(Some(Class::Breaking)).to_string(), "2.0.0");
        assert_eq!(worst([Class::Behaviour, Class::Breaking, Class::Additive]), Some(Class::Breaking));
        assert!(Version::parse("0.2").unwrap_err().contains("MAJOR.MINOR.PATCH"));
        assert!(Version::parse("0.2.0-rc.1").is_err());
    }

    #[test]
    fn the_package_version_is_read_and_set_in_the_manifest_and_the_lockfile() {
        let manifest = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\nfoo = { version = \"1\" }\n";
        assert_eq!(of_manifest(manifest, Path::new("Cargo.toml")).unwrap().to_string(), "0.1.0");
        let set = set_in_manifest(manifest, Version::parse("0.2.0").unwrap()).unwrap();
        assert_eq!(set, manifest.replace("0.1.0", "0.2.0"));
        let readme = "```toml\nx = \"0.1\"\nx = { version = \"0.1\", features = [\"mock\"] }\ny = \"0.1\"\n```\n";
        let (v1, v2) = (Version::parse("0.1.3").unwrap(), Version::parse("0.2.0").unwrap());
        assert_eq!(set_in_readme(readme, "x", v1, v2), readme.replacen("0.1", "0.2", 2));
        let lock = "[[package]]\nname = \"x\"\nversion = \"0.1.0\"\ndependencies = []\n";
        assert_eq!(
            set_in_lockfile(lock, "x", Version::parse("0.2.0").unwrap()).unwrap(),
            lock.replace("0.1.0", "0.2.0")
        );
    }
}
