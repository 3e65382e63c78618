//! Reading the selection: flags, files and standard input.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::Failure;
use crate::args::Selection;

/// The selection, read and split.
pub enum Items {
    /// Cache tags.
    Tags(Vec<String>),
    /// Source images.
    SrcImages(Vec<String>),
}

impl Items {
    /// Reads the selection; exactly one kind must be given.
    pub fn read(sel: &Selection) -> Result<Self, Failure> {
        let has_tags = !sel.tag.is_empty() || sel.tags_from.is_some();
        let has_images = !sel.srcimg.is_empty() || sel.srcimgs_from.is_some();
        if sel.tags_from.as_deref() == Some(Path::new("-")) && sel.srcimgs_from.as_deref() == Some(Path::new("-")) {
            return Err(Failure::usage("--tags-from - and --srcimgs-from - cannot both read standard input"));
        }
        match (has_tags, has_images) {
            (false, false) => Err(Failure::usage(
                "nothing selected: give tags (--tag, --tags-from) or source images (--srcimg, --srcimgs-from)",
            )),
            (true, true) => Err(Failure::usage(
                "give either tags (--tag, --tags-from) or source images (--srcimg, --srcimgs-from), not both",
            )),
            (true, false) => {
                let mut tags: Vec<String> = sel
                    .tag
                    .iter()
                    .flat_map(|t| t.split(','))
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(path) = &sel.tags_from {
                    tags.extend(read_lines(path)?);
                }
                if tags.is_empty() {
                    return Err(Failure::usage("no tags given (the flags and files held only blank entries)"));
                }
                Ok(Items::Tags(dedup(tags)))
            }
            (false, true) => {
                if sel.target.is_some() {
                    return Err(Failure::usage("--target applies to tag selections only"));
                }
                let mut images: Vec<String> =
                    sel.srcimg.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                if let Some(path) = &sel.srcimgs_from {
                    images.extend(read_lines(path)?);
                }
                if images.is_empty() {
                    return Err(Failure::usage("no source images given (the flags and files held only blank entries)"));
                }
                Ok(Items::SrcImages(dedup(images)))
            }
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        match self {
            Items::Tags(v) | Items::SrcImages(v) => v.len(),
        }
    }

    /// "tag"/"tags" or "source image(s)".
    pub fn noun(&self) -> &'static str {
        match (self, self.len()) {
            (Items::Tags(_), 1) => "tag",
            (Items::Tags(_), _) => "tags",
            (Items::SrcImages(_), 1) => "source image",
            (Items::SrcImages(_), _) => "source images",
        }
    }
}

/// Drops repeated entries, keeping the first of each.
fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.into_iter().filter(|i| seen.insert(i.clone())).collect()
}

/// Non-blank lines of a file or of standard input (`-`), trimmed.
fn read_lines(path: &Path) -> Result<Vec<String>, Failure> {
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?)
    };
    let mut out = Vec::new();
    for (n, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| Failure::usage(format!("cannot read {} line {}: {e}", path.display(), n + 1)))?;
        let line = line.trim();
        if !line.is_empty() {
            out.push(line.to_string());
        }
    }
    Ok(out)
}
