/** Training plumbing: run folders ({@link dev.shears.train.RunDir}), PNG plots ({@link dev.shears.train.Plot}), progress lines, timers. */
package dev.shears.train;
