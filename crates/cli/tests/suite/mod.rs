mod agents;
mod attacks;
mod attacks_redteam1;
mod attacks_surfaces;
mod audit;
mod cli;
pub mod fixture;
