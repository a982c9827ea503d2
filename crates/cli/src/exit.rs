//! Exit statuses, as the DESIGN table gives them.

use std::process::{ExitCode, Termination};

/// What `main` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Success.
    Ok,
    /// `doctor`: problems found.
    Problems,
    /// Usage or config error (commands other than exec).
    Usage,
    /// exec: timeout.
    Timeout,
    /// exec: rampart's own error.
    Internal,
    /// exec: denied or not approved.
    Denied,
    /// exec: program not found.
    NotFound,
    /// exec: the program's own status (or 128+N).
    Program(i32),
}

impl Exit {
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Problems => 1,
            Self::Usage => 2,
            Self::Timeout => 124,
            Self::Internal => 125,
            Self::Denied => 126,
            Self::NotFound => 127,
            Self::Program(c) => u8::try_from(c.clamp(0, 255)).unwrap_or(255),
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}
