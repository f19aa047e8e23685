//! Test support shared by the integration tests of mmadapt-passes.
#![allow(dead_code)]

pub mod reference;
pub mod run;
