# R's survey package on the district of make_district.py: the figures tests/test_satisfaction.py
# holds the dashboard to (to 1e-9). Written by survey 4.1.1 (Debian r-cran-survey); CI reads
# reference.csv and never needs R.
#
#   Rscript tests/survey_design/reference.R
#
# Per community: svydesign(ids = ~1, weights = ~w) on its own responses.
# Roll-ups (street, community type, district): communities with at least MIN_N responses,
# w* = w * P_h / W_h, svydesign(ids = ~1, strata = ~community_id, weights = ~w*).
# Respondent groups (gender, MIN_N_GROUPS so that no cell is suppressed): svyby on the same
# stratified design over every community, the interval on that design's degf.
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
MIN_N <- 10
MIN_N_GROUPS <- 2

communities <- read.csv(file.path(here, "communities.csv"), stringsAsFactors = FALSE)
survey <- read.csv(file.path(here, "survey.csv"), stringsAsFactors = FALSE)
survey$w <- ifelse(is.na(survey$weight), 1, survey$weight)
survey <- merge(survey, communities[, c("community_id", "street", "community_type", "population")])
survey$top2 <- as.numeric(survey$overall >= 4)
survey$n_h <- ave(survey$w, survey$community_id, FUN = length)
survey$w_star <- survey$w * survey$population / ave(survey$w, survey$community_id, FUN = sum)

estimate <- function(design) {
  mean <- svymean(~overall, design)
  interval <- confint(mean, df = degf(design))
  c(
    mean_overall = unname(coef(mean)), se = unname(SE(mean)), df = degf(design),
    ci_low = interval[1, 1], ci_high = interval[1, 2],
    top2_share = unname(coef(svymean(~top2, design))),
    mean_service = unname(coef(svymean(~service, design, na.rm = TRUE)))
  )
}

rows <- list()
for (id in sort(unique(survey$community_id))) {
  own <- survey[survey$community_id == id, ]
  if (nrow(own) < MIN_N) next
  rows[[length(rows) + 1]] <- c(level = "community", group_key = id, estimate(svydesign(ids = ~1, weights = ~w, data = own)))
}
shown <- survey[survey$n_h >= MIN_N, ]
for (level in c("street", "community_type", "all")) {
  keys <- if (level == "all") "ALL" else sort(unique(shown[[level]]))
  for (key in keys) {
    part <- if (level == "all") shown else shown[shown[[level]] == key, ]
    design <- svydesign(ids = ~1, strata = ~community_id, weights = ~w_star, data = part)
    # The dashboard's street key is "district · street".
    label <- if (level == "street") paste0("设计区 · ", key) else key
    rows[[length(rows) + 1]] <- c(level = level, group_key = label, estimate(design))
  }
}
everyone <- svydesign(ids = ~1, strata = ~community_id, weights = ~w_star, data = survey[survey$n_h >= MIN_N_GROUPS, ])
by_gender <- svyby(~overall, ~gender, everyone, svymean)
interval <- confint(by_gender, df = degf(everyone))
top2_by_gender <- svyby(~top2, ~gender, everyone, svymean)
for (g in rownames(by_gender)) {
  rows[[length(rows) + 1]] <- c(
    level = "gender", group_key = g, mean_overall = by_gender[g, "overall"], se = by_gender[g, "se"],
    df = degf(everyone), ci_low = interval[g, 1], ci_high = interval[g, 2],
    top2_share = top2_by_gender[g, "top2"], mean_service = NA
  )
}
out <- as.data.frame(do.call(rbind, rows), stringsAsFactors = FALSE)
write.csv(out, file.path(here, "reference.csv"), row.names = FALSE)
cat(nrow(out), "rows written by survey", as.character(packageVersion("survey")), "\n")
