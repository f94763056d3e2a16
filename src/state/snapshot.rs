//! The local state backend: a JSON snapshot file in any of the three shapes of DESIGN §1.5.
