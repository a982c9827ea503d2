mod agents;
mod attacks;
mod attacks_globs_urls;
mod audit;
mod cli;
pub mod fixture;
