//! The Landlock ruleset of a confined sandbox: read and execute everywhere,
//! write only where the mode grants it, no TCP when the network is off, and
//! no reaching outside the sandbox with signals or abstract Unix sockets.

use std::path::{Path, PathBuf};

use landlock::{
    Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, RestrictionStatus,
    Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};

/// The lowest Landlock ABI rampart confines with: ABI 3 is the first that
/// controls truncate(2), without which a file outside the workspace could
/// be emptied.
pub const MIN_ABI: i32 = 3;

/// The newest ABI this build knows how to use.
const TARGET_ABI: ABI = ABI::V7;

/// Paths and switches the ruleset is made from.
#[derive(Debug, Clone)]
pub(crate) struct LandlockPlan {
    pub(crate) writable: Vec<PathBuf>,
    /// Device files that may be opened for writing (and terminal ioctls).
    pub(crate) devices: Vec<PathBuf>,
    pub(crate) network: bool,
}

/// Why the ruleset could not be put in force.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum LandlockError {
    /// The kernel offers an ABI older than [`MIN_ABI`].
    #[error("this kernel offers Landlock ABI {found}, rampart needs at least {MIN_ABI}")]
    TooOld {
        /// The ABI the kernel reported.
        found: i32,
    },
    /// A rule path could not be opened.
    #[error("cannot open `{}` for a Landlock rule: {source}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: landlock::PathFdError,
    },
    /// The kernel refused the ruleset.
    #[error("Landlock refused the ruleset: {0}")]
    Ruleset(#[from] landlock::RulesetError),
    /// The ruleset was not enforced at all.
    #[error("Landlock did not enforce the ruleset")]
    NotEnforced,
}

fn open(path: &Path) -> Result<PathFd, LandlockError> {
    PathFd::new(path).map_err(|source| LandlockError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Restricts the calling thread (and its future children) with `plan`.
pub(crate) fn restrict(
    plan: &LandlockPlan,
    abi_found: i32,
) -> Result<RestrictionStatus, LandlockError> {
    if abi_found < MIN_ABI {
        return Err(LandlockError::TooOld { found: abi_found });
    }
    let all = AccessFs::from_all(TARGET_ABI);
    let read = AccessFs::from_read(TARGET_ABI);
    let device = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::IoctlDev;

    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)?;
    if !plan.network {
        ruleset = ruleset.handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)?;
    }
    let mut created = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?
        .create()?;
    created = created.add_rule(PathBeneath::new(open(Path::new("/"))?, read))?;
    for path in &plan.writable {
        created = created.add_rule(PathBeneath::new(open(path)?, all))?;
    }
    for path in &plan.devices {
        let fd = open(path)?;
        let access = if path.is_dir() {
            device | AccessFs::ReadDir
        } else {
            device
        };
        created = created.add_rule(PathBeneath::new(fd, access))?;
    }
    let status = created.restrict_self()?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Err(LandlockError::NotEnforced);
    }
    Ok(status)
}
