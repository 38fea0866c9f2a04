# Times metafor (+ clubSandwich) on the benchmark data written by bench.mjs.
# Usage: Rscript bench.R data.csv mv|uni   -> prints seconds per fit
suppressMessages({ library(metafor); library(clubSandwich) })
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = c(study = "character", esid = "character", g = "character"))
d$g <- factor(d$g, levels = c("a", "b", "c", "d"))
if (args[2] == "mv") {
  f <- function() {
    r <- rma.mv(yi, vi, mods = ~ x + g, random = ~ 1 | study/esid, data = d, test = "t", sparse = TRUE)
    robust(r, cluster = d$study, clubSandwich = TRUE)
  }
  reps <- 1
} else {
  f <- function() rma(yi, vi, data = d, method = "REML")
  reps <- 3
}
t <- system.time(for (i in seq_len(reps)) f())[["elapsed"]] / reps
cat(t, "\n")
