/** Reproduction mains: {@link dev.shears.repro.Repro} dispatches to one {@code *Repro} per experiment. */
package dev.shears.repro;
