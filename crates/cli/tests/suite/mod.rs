mod agents;
mod attacks;
mod attacks_surfaces;
mod attacks_protect;
mod attacks_decide;
mod attacks_audit;
mod audit;
mod cli;
pub mod fixture;
