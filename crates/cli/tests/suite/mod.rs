mod agents;
mod attacks;
mod attacks_surfaces;
mod attacks_protect;
mod attacks_decide;
mod audit;
mod cli;
pub mod fixture;
