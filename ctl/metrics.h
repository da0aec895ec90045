/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebrokerctl metrics: the Prometheus text exposition format, version 0.0.4
 * (what node_exporter's textfile collector reads), and the rendering of the
 * module's and the daemon's state in it. Both are pure: they write to a
 * FILE and touch nothing else, so that the host tests see every byte.
 */
#ifndef EBROKERCTL_METRICS_H
#define EBROKERCTL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ebroker/client.h>

#include "genl.h"

enum prom_type {
	PROM_GAUGE,
	PROM_COUNTER,
};

/*
 * A writer of one exposition. Families come one at a time: prom_family()
 * writes its HELP and TYPE, then prom_sample() its samples. The first
 * failure is kept (prom_error()) and every later call returns it, so that a
 * caller may write a whole exposition and check once.
 */
struct prom {
	FILE *f;
	char **families; /* the names written, to refuse a second HELP/TYPE */
	size_t n_families;
	bool in_family;
	int error;
};

void prom_init(struct prom *p, FILE *f);
void prom_free(struct prom *p);
/*
 * Starts family @name. -EINVAL: not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*);
 * -EEXIST: that family was written already (its samples must be together).
 */
int prom_family(struct prom *p, const char *name, enum prom_type type, const char *help);
/*
 * A sample of the current family: @labels is NULL or name, value, ...,
 * NULL. -EINVAL: no family started, or a label name that is not one
 * ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"). Values may hold any
 * byte: they are escaped, and bytes that are not UTF-8 become U+FFFD.
 */
int prom_sample(struct prom *p, const char *const *labels, uint64_t value);
int prom_error(const struct prom *p);

/* @s as a label value between the quotes: escaped and UTF-8. NULL: out of memory. */
char *prom_label_value(const char *s);

/*
 * The whole exposition: the module's @pool and cgroups @v (sorted by path
 * in place), and the daemon's status @st, NULL when it did not answer.
 */
int metrics_render(FILE *f, const struct ctl_pool *pool, struct ctl_cgroup *v, size_t n,
		   const struct ebroker_daemon_status *st);
/* What is written when the module is not loaded: that alone. */
int metrics_render_no_module(FILE *f);

#endif /* EBROKERCTL_METRICS_H */
