//! The one way casework reads a file of the repository: configuration,
//! schemas and what they reference, the disposal register, records named
//! on the command line, and the templates, CSV files and attachments to
//! come. A pull request is untrusted input, so a read never leaves the
//! root (not through a symlink, not through a linked folder), never opens
//! a FIFO, socket or device (which could block forever or never end), and
//! never holds more than a size limit in memory.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The size limit for the files that configure a repository (casework.toml,
/// schemas, the disposal register, templates): far above any real one,
/// far below what would hurt.
pub const SUPPORT_FILE_LIMIT: u64 = 32 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing at that path (or a dangling symlink).
    Missing,
    /// A folder, FIFO, socket or device.
    NotAFile,
    /// The path, or a link on the way to it, leads out of the root.
    OutsideRoot(PathBuf),
    /// Larger than the limit; `size` may be a lower bound when the file grew.
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => f.write_str("no such file"),
            ReadError::NotAFile => {
                f.write_str("not a regular file (a folder, FIFO, socket or device); it was not read")
            }
            ReadError::OutsideRoot(to) => write!(
                f,
                "it leads out of the repository root (to {}); it was not read",
                to.display()
            ),
            ReadError::TooLarge { size, limit } => {
                write!(
                    f,
                    "it is {size} bytes, above the limit of {limit} bytes; it was not read"
                )
            }
            ReadError::Io(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::Missing,
            _ => ReadError::Io(e),
        }
    }
}

/// The real path of the root, against which every read is judged.
pub fn real_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

/// Where `path` really is, if that is inside `root`: every symlink on the
/// way (the file itself or any folder above it) is resolved first.
pub fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf, ReadError> {
    let real = std::fs::canonicalize(path)?;
    if real.starts_with(real_root(root)) {
        Ok(real)
    } else {
        Err(ReadError::OutsideRoot(real))
    }
}

/// Read a file inside `root`, at most `limit` bytes.
pub fn read(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let real = resolve_inside(root, path)?;
    if !std::fs::metadata(&real)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    read_regular(&real, limit)
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(root: &Path, path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read(root, path, limit)?).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        ))
    })
}

/// Read a path already known to be inside the root, with one `open` and
/// one `fstat`: the hot path of loading records. The type is checked on
/// the opened file, so a FIFO swapped in meanwhile is still refused, and
/// it is opened non-blocking so that the `open` itself cannot hang on one.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let f = options.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    // Read at most one byte past the limit, so a file growing under us cannot blow memory.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    f.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_links_out_fifos_and_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("a.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("secret"), "s3cret").unwrap();
        assert_eq!(read(&root, &root.join("a.txt"), 10).unwrap(), b"hello");
        assert!(matches!(
            read(&root, &root.join("a.txt"), 4),
            Err(ReadError::TooLarge { size: 5, .. })
        ));
        assert!(matches!(read(&root, &root.join("none"), 4), Err(ReadError::Missing)));
        assert!(matches!(read(&root, &root, 4), Err(ReadError::NotAFile)));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).unwrap();
            assert!(matches!(
                read(&root, &root.join("link"), 99),
                Err(ReadError::OutsideRoot(_))
            ));
            std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
            assert!(matches!(
                read(&root, &root.join("up/secret"), 99),
                Err(ReadError::OutsideRoot(_))
            ));
            std::os::unix::fs::symlink(root.join("a.txt"), root.join("inside")).unwrap();
            assert_eq!(read(&root, &root.join("inside"), 10).unwrap(), b"hello");
            std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
            assert!(matches!(
                read(&root, &root.join("zero"), 99),
                Err(ReadError::OutsideRoot(_))
            ));
            let fifo = root.join("fifo");
            assert!(
                std::process::Command::new("mkfifo")
                    .arg(&fifo)
                    .status()
                    .unwrap()
                    .success()
            );
            assert!(matches!(read(&root, &fifo, 99), Err(ReadError::NotAFile)));
            assert!(matches!(read_regular(&fifo, 99), Err(ReadError::NotAFile)));
        }
    }
}
