# metafor / clubSandwich reference numbers for the assink2016 example's saved
# analyses, written independently of Homeward (literal model calls on
# metadat's data set). Run from the repository root:
#
#   Rscript examples/assink2016/reference/metafor.R
#
# writes examples/assink2016/reference/metafor.json. Convergence is tightened
# beyond metafor's defaults so that the references are the optimum itself.
suppressMessages({
  library(metafor)
  library(clubSandwich)
  library(jsonlite)
  library(metadat)
})
stopifnot(packageVersion("metafor") >= "3.8")

d <- dat.assink2016
d$deltype <- factor(d$deltype, levels = c("general", "overt", "covert"))
# nlminb's relative tolerance 1e-12, relaxed to 1e-11 / 1e-10 only where it reports non-convergence.
fit_mv <- function(mods = NULL, data = d) {
  for (tol in c(1e-12, 1e-11, 1e-10)) {
    args <- list(yi = data$yi, V = data$vi, random = ~ 1 | study / esid, data = data, test = "t",
                 control = list(rel.tol = tol, eval.max = 10000, iter.max = 10000))
    if (!is.null(mods)) args$mods <- mods
    r <- try(do.call(rma.mv, args), silent = TRUE)
    if (!inherits(r, "try-error")) return(r)
  }
  stop("rma.mv did not converge")
}
unictrl <- list(threshold = 1e-12, tol = 1e-13, maxiter = 10000)

coefs <- function(f) list(estimate = I(as.vector(f$beta)), se = I(f$se), ciLower = I(f$ci.lb), ciUpper = I(f$ci.ub), p = I(f$pval))
robust_coefs <- function(f) {
  r <- robust(f, cluster = d$study, clubSandwich = TRUE)
  list(estimate = I(as.vector(r$beta)), se = I(r$se), df = I(r$ddf), ciLower = I(r$ci.lb), ciUpper = I(r$ci.ub), p = I(r$pval))
}

three <- fit_mv()
year <- fit_mv(~ year)
del <- fit_mv(~ deltype)
uni <- rma(yi, vi, data = d, method = "REML", control = unictrl)
eg <- regtest(uni)
l1o <- leave1out(uni)
tf <- trimfill(uni, control = unictrl)
studies <- sort(unique(d$study))
l1o_mv <- sapply(studies, function(s) coef(fit_mv(data = d[d$study != s, ])))

out <- list(
  metafor = as.character(packageVersion("metafor")),
  threeLevel = c(coefs(three), list(sigma2 = I(three$sigma2), QE = three$QE, k = three$k,
                 leave1outStudy = I(paste("Study", studies)), leave1outEstimate = I(unname(l1o_mv)))),
  threeLevelRobust = robust_coefs(three),
  year = c(coefs(year), list(sigma2 = I(year$sigma2), QM = year$QM, robust = robust_coefs(year))),
  deltype = c(coefs(del), list(sigma2 = I(del$sigma2), QM = del$QM, robust = robust_coefs(del))),
  univariate = c(coefs(uni), list(tau2 = uni$tau2, I2 = uni$I2, QE = uni$QE,
                 egger = list(statistic = eg$zval, p = eg$pval), trimfillK0 = tf$k0,
                 leave1outEstimate = I(l1o$estimate)))
)
write_json(out, "examples/assink2016/reference/metafor.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
