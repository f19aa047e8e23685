//! Test support shared by the integration tests of mmadapt-passes (and, by
//! path, by the fuzz targets in `fuzz/`).
#![allow(dead_code)]

pub mod gen;
pub mod reference;
pub mod run;
pub mod seeded;
pub mod split_property;
