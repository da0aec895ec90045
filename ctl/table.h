/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EBROKERCTL_TABLE_H
#define EBROKERCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table_column {
	const char *header;
	bool right; /* numbers: right-aligned */
};

struct table;

int table_new(const struct table_column *columns, size_t ncolumns, struct table **ret);
void table_free(struct table *t);
int table_add(struct table *t, const char *cell);
int table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int table_print(const struct table *t, FILE *f);

char *printable_dup(const char *s);

static inline void table_freep(struct table **t)
{
	if (*t)
		table_free(*t);
}

#endif /* EBROKERCTL_TABLE_H */
