//! PLACEHOLDER (readers helper replaces): synthetic MovieLens-shaped data.
