//! Reading a file a command may have left, without letting it stall the
//! supervisor: a FIFO blocks `open(2)` until a writer comes (none will: the
//! sandbox is gone), a character device (`/dev/zero` behind a symlink)
//! never ends. Files are opened non-blocking, must be regular, and are
//! read up to a bound.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `max`; an error for anything else, or a larger file.
pub(crate) fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{}` is not a regular file", path.display()),
        ));
    }
    if meta.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{}` is larger than {max} bytes", path.display()),
        ));
    }
    let mut out = Vec::new();
    f.take(max).read_to_end(&mut out)?;
    Ok(out)
}

/// [`read_regular`] as text (invalid UTF-8 replaced).
pub(crate) fn read_text(path: &Path, max: u64) -> io::Result<String> {
    read_regular(path, max).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The bound for the small files git keeps (`commondir`, `HEAD`, a
/// `gitdir:` file, a todo list, `packed-refs` of a normal repository).
pub(crate) const SMALL: u64 = 16 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_or_a_device_is_refused_at_once_and_a_file_is_read() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("config");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let started = std::time::Instant::now();
        assert!(read_regular(&fifo, SMALL).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let dev = d.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
        assert!(read_regular(&dev, SMALL).is_err());
        let big = d.path().join("big");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        assert!(read_regular(&big, 10).is_err());
        assert_eq!(read_text(&big, 100).unwrap().len(), 100);
    }
}
