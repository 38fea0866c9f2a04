# Times metafor on the benchmark data written by diagnostics.mjs.
# Usage: Rscript diagnostics.R data.csv full|sample S
#   full:   times leave1out(fit) and influence(fit); prints "leave1out_s influence_s"
#   sample: times S of the per-outcome refits both functions perform
#           (rma.uni without outcome i, REML) and prints the mean seconds per
#           refit. At k = 2,000 a full run takes hours: each REML iteration
#           forms the k×k matrix P and the product P %*% P.
suppressMessages(library(metafor))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
fit <- rma(yi, vi, data = d, method = "REML")
if (args[2] == "full") {
  t1 <- system.time(leave1out(fit))[["elapsed"]]
  t2 <- system.time(influence(fit))[["elapsed"]]
  cat(t1, t2, "\n")
} else {
  S <- as.integer(args[3])
  t <- system.time(for (i in seq_len(S)) rma(yi, vi, data = d, method = "REML", subset = -i))[["elapsed"]]
  cat(t / S, "\n")
}
