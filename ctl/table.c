// SPDX-License-Identifier: GPL-2.0
/*
 * Tables for humans: a header row, columns as wide as their widest cell and
 * two spaces apart, numbers right-aligned, no trailing blanks. Cells are
 * added row by row, left to right; what a cell shows is made printable
 * (a cgroup name may hold any byte but a slash).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#include "table.h"

struct table {
	const struct table_column *columns;
	size_t ncolumns;
	char **cells; /* row-major, headers not included */
	size_t ncells;
};

int table_new(const struct table_column *columns, size_t ncolumns, struct table **ret)
{
	struct table *t;

	if (!ncolumns)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->columns = columns;
	t->ncolumns = ncolumns;
	*ret = t;
	return 0;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* A copy of s with control characters shown as '?'. */
char *printable_dup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		return NULL;
	for (char *p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return d;
}

int table_add(struct table *t, const char *cell)
{
	_cleanup_(freep) char *d = printable_dup(cell);
	char **cells;

	if (!d)
		return -ENOMEM;
	cells = realloc(t->cells, (t->ncells + 1) * sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	t->cells = cells;
	t->cells[t->ncells++] = TAKE_PTR(d);
	return 0;
}

int table_addf(struct table *t, const char *fmt, ...)
{
	_cleanup_(freep) char *s = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return table_add(t, s);
}

/* Columns a terminal gives the text: one per UTF-8 character. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_cell(FILE *f, const char *s, size_t width, bool right, bool last)
{
	size_t pad = width - text_width(s);

	if (right)
		fprintf(f, "%*s", (int)pad, "");
	fputs(s, f);
	if (!right && !last)
		fprintf(f, "%*s", (int)pad, "");
}

static void print_row(const struct table *t, FILE *f, const size_t *width, char *const *row,
		      bool header)
{
	size_t last = t->ncolumns - 1;

	/* Empty cells at the end of a row print nothing, not even blanks. */
	while (!header && last && !row[last][0])
		last--;
	for (size_t c = 0; c <= last; c++) {
		if (c)
			fputs("  ", f);
		print_cell(f, header ? t->columns[c].header : row[c], width[c], t->columns[c].right,
			   c == last);
	}
	fputc('\n', f);
}

/* Prints the header and every complete row; -EINVAL if a row is incomplete. */
int table_print(const struct table *t, FILE *f)
{
	_cleanup_(freep) size_t *width = calloc(t->ncolumns, sizeof(*width));
	size_t c, w;

	if (!width)
		return -ENOMEM;
	if (t->ncells % t->ncolumns)
		return -EINVAL;
	for (c = 0; c < t->ncolumns; c++)
		width[c] = text_width(t->columns[c].header);
	for (size_t i = 0; i < t->ncells; i++) {
		w = text_width(t->cells[i]);
		c = i % t->ncolumns;
		if (w > width[c])
			width[c] = w;
	}
	print_row(t, f, width, NULL, true);
	for (size_t i = 0; i < t->ncells; i += t->ncolumns)
		print_row(t, f, width, t->cells + i, false);
	return 0;
}
