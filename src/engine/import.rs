//! `docker import ROOTFS.tar NAME[:TAG]`: an image of one layer made from a
//! root filesystem tarball, with an empty config.

use crate::engine::builder::{EngineState, ImageRecord, RunConfig};
use crate::engine::digest::{Digest, Hasher};
use crate::engine::report::{HistoryRow, LayerInfo};
use std::io::{self, Read};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the tarball: {0}")]
    Io(#[from] io::Error),
    #[error("not a tar archive: {0}")]
    NotTar(String),
}

/// Reads a tar stream while hashing every byte of it.
struct Tee<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Import `tar` as a new image tagged `name`. The layer's diff_id is the
/// sha256 of the tarball as given (Docker stores an imported, uncompressed
/// tar unchanged); its size is what `docker history` shows: regular-file
/// bytes plus symlink target lengths.
pub fn import_tar(
    state: &mut EngineState,
    tar: impl Read,
    name: &str,
) -> Result<ImageRecord, ImportError> {
    let mut tee = Tee {
        inner: tar,
        hasher: Hasher::new(),
    };
    let mut size = 0u64;
    {
        let mut archive = tar::Archive::new(&mut tee);
        let entries = archive
            .entries()
            .map_err(|e| ImportError::NotTar(e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| ImportError::NotTar(e.to_string()))?;
            let header = entry.header();
            match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    size += header.size().unwrap_or(0);
                }
                tar::EntryType::Symlink => {
                    size += entry.link_name_bytes().map(|l| l.len() as u64).unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    // The end-of-archive blocks and any padding count towards the digest.
    io::copy(&mut tee, &mut io::sink())?;
    let diff_id: Digest = tee.hasher.finish();
    let layer = LayerInfo { diff_id, size };
    let history = vec![HistoryRow {
        created_by: String::new(),
        size,
        empty_layer: false,
        comment: "Imported from -".into(),
        built_in: 0,
    }];
    let config = RunConfig::default();
    let id = crate::engine::builder::image_id_of(&config, std::slice::from_ref(&layer), &history);
    let image = ImageRecord {
        id,
        config,
        layers: vec![layer],
        history,
        comment: Some("Imported from -".into()),
    };
    state.tag_image(image.clone(), name);
    Ok(image)
}
