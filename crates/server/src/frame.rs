//! Framing for the daemon's socket: a 4-byte big-endian length, then that
//! many bytes of one JSON-RPC message. Frames over [`MAX_FRAME`] are
//! refused from their header, before any of the body is read.

/// The largest frame body either side sends or accepts (1 MiB).
pub use rampart_guard::limits::MAX_FRAME;

/// Why a frame is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The header announces more than [`MAX_FRAME`].
    #[error("frame of {0} bytes is over the limit of {MAX_FRAME} bytes")]
    TooLarge(usize),
    /// A zero-length frame.
    #[error("empty frame")]
    Empty,
}

/// The body length a 4-byte header announces, checked against the cap.
pub fn body_len(header: [u8; 4]) -> Result<usize, FrameError> {
    let n = u32::from_be_bytes(header) as usize;
    match n {
        0 => Err(FrameError::Empty),
        n if n > MAX_FRAME => Err(FrameError::TooLarge(n)),
        n => Ok(n),
    }
}

/// Splits the first complete frame off `buf`: `Ok(None)` when more bytes
/// are needed, otherwise the body and how many bytes it used.
pub fn decode(buf: &[u8]) -> Result<Option<(&[u8], usize)>, FrameError> {
    let Some(header) = buf.get(..4) else {
        return Ok(None);
    };
    let mut h = [0u8; 4];
    h.copy_from_slice(header);
    let n = body_len(h)?;
    Ok(buf.get(4..4 + n).map(|body| (body, 4 + n)))
}

/// A frame holding `body`.
pub fn encode(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    if body.is_empty() {
        return Err(FrameError::Empty);
    }
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(body.len()));
    }
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_partial_and_limits() {
        let f = encode(b"{}").unwrap();
        assert_eq!(decode(&f).unwrap(), Some((&b"{}"[..], 6)));
        assert_eq!(decode(&f[..5]).unwrap(), None);
        assert_eq!(decode(&f[..2]).unwrap(), None);
        assert_eq!(decode(&[0, 0, 0, 0]), Err(FrameError::Empty));
        let big = u32::try_from(MAX_FRAME + 1).unwrap().to_be_bytes();
        assert_eq!(decode(&big), Err(FrameError::TooLarge(MAX_FRAME + 1)));
        assert!(encode(&vec![b' '; MAX_FRAME + 1]).is_err());
    }
}
