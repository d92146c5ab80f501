/** Training plumbing: run folders ({@link dev.shears.train.RunDir}), progress lines, timers. */
package dev.shears.train;
