// SPDX-License-Identifier: GPL-2.0
/*
 * What `sign` is told: each setting once, by name, from a config file of
 * "key = value" lines or from the option of the same name; the command line
 * wins. Numbers are decimal or 0x-prefixed hexadecimal.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define CONFIG_FILE_MAX (64 << 10)

/* Every attribute bit a signer may pin: all defined ones but INIT. */
#define ATTRIBUTE_MASK_DEFAULT (~EB_ATTR_RESERVED & ~EB_ATTR_INIT)
#define XFRM_DEFAULT	       EB_ECREATE_XFRM_REQUIRED

enum kind { KIND_PATH, KIND_BOOL, KIND_DATE, KIND_U16, KIND_U32, KIND_U64 };

static const struct {
	const char *name;
	enum kind kind;
} settings[_SET_MAX] = {
	[SET_KEY] = { "key", KIND_PATH },
	[SET_ISV_PROD_ID] = { "isv_prod_id", KIND_U16 },
	[SET_ISV_SVN] = { "isv_svn", KIND_U16 },
	[SET_DEBUG] = { "debug", KIND_BOOL },
	[SET_MISCSELECT] = { "miscselect", KIND_U32 },
	[SET_MISC_MASK] = { "misc_mask", KIND_U32 },
	[SET_ATTRIBUTE_MASK] = { "attribute_mask", KIND_U64 },
	[SET_XFRM] = { "xfrm", KIND_U64 },
	[SET_XFRM_MASK] = { "xfrm_mask", KIND_U64 },
	[SET_DATE] = { "date", KIND_DATE },
};

const char *setting_name(enum setting s)
{
	return s < _SET_MAX ? settings[s].name : NULL;
}

/* Decimal, or hexadecimal after 0x; nothing else, not even spaces. */
static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* YYYYMMDD, which read as hexadecimal is the BCD SIGSTRUCT.DATE. */
static int parse_date(const char *s, uint32_t *ret)
{
	unsigned int month, day;

	if (strlen(s) != 8 || strspn(s, "0123456789") != 8)
		return -EINVAL;
	month = (s[4] - '0') * 10 + (s[5] - '0');
	day = (s[6] - '0') * 10 + (s[7] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return -EINVAL;
	*ret = (uint32_t)strtoul(s, NULL, 16);
	return 0;
}

/* The BCD SIGSTRUCT.DATE of @tm: 0xYYYYMMDD. */
static int date_bcd(const struct tm *tm, uint32_t *ret)
{
	unsigned int dec[3] = { tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday };
	unsigned int width[3] = { 4, 2, 2 };
	uint32_t bcd = 0;

	if (tm->tm_year + 1900 < 0 || tm->tm_year + 1900 > 9999)
		return -ERANGE;
	for (size_t i = 0; i < 3; i++)
		for (unsigned int d = width[i], div = width[i] == 4 ? 1000 : 10; d; d--, div /= 10)
			bcd = bcd << 4 | (dec[i] / div) % 10;
	*ret = bcd;
	return 0;
}

int setting_parse(struct sign_settings *st, enum setting s, const char *value, const char *dir)
{
	uint64_t v = 0;
	int r;

	switch (settings[s].kind) {
	case KIND_PATH: {
		char *path;

		if (!*value)
			return -EINVAL;
		if (value[0] != '/' && dir) {
			if (asprintf(&path, "%s/%s", dir, value) < 0)
				return -ENOMEM;
		} else {
			path = strdup(value);
			if (!path)
				return -ENOMEM;
		}
		free(st->key);
		st->key = path;
		break;
	}
	case KIND_BOOL:
		r = parse_bool(value, &st->debug);
		if (r < 0)
			return r;
		break;
	case KIND_DATE:
		r = parse_date(value, &st->date);
		if (r < 0)
			return r;
		break;
	case KIND_U16:
	case KIND_U32:
	case KIND_U64:
		r = parse_u64(value,
			      settings[s].kind == KIND_U16   ? UINT16_MAX
			      : settings[s].kind == KIND_U32 ? UINT32_MAX
							     : UINT64_MAX,
			      &v);
		if (r < 0)
			return r;
		switch (s) {
		case SET_ISV_PROD_ID:
			st->isv_prod_id = v;
			break;
		case SET_ISV_SVN:
			st->isv_svn = v;
			break;
		case SET_MISCSELECT:
			/* What ECREATE accepts, said here rather than later. */
			if (v & ~(uint64_t)EB_ECREATE_MISCSELECT_VALID)
				return -EINVAL;
			st->miscselect = v;
			break;
		case SET_MISC_MASK:
			st->misc_mask = v;
			break;
		case SET_ATTRIBUTE_MASK:
			st->attribute_mask = v;
			break;
		case SET_XFRM:
			if ((v & EB_ECREATE_XFRM_REQUIRED) != EB_ECREATE_XFRM_REQUIRED)
				return -EINVAL;
			st->xfrm = v;
			break;
		case SET_XFRM_MASK:
			st->xfrm_mask = v;
			break;
		default:
			return -EINVAL;
		}
		break;
	}
	st->given[s] = true;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	return s;
}

int config_read(const char *path, struct sign_settings *st, char *err, size_t errlen)
{
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(freep) char *dir_copy = NULL;
	size_t len;
	char *text, *line, *next;
	const char *dir;
	unsigned int n = 0;
	int r;

	r = read_regular_file(AT_FDCWD, path, O_NONBLOCK, CONFIG_FILE_MAX, (void **)&buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s", r == -EFBIG ? "larger than 64 KiB" : strerror(-r));
		return r == -EFBIG ? -EINVAL : r;
	}
	if (memchr(buf, 0, len)) {
		snprintf(err, errlen, "holds a NUL byte");
		return -EINVAL;
	}
	text = realloc(buf, len + 1);
	if (!text)
		return -ENOMEM;
	buf = text;
	buf[len] = 0;

	/* A relative key path is relative to the config file. */
	dir_copy = strdup(path);
	if (!dir_copy)
		return -ENOMEM;
	dir = dirname(dir_copy);

	for (line = buf; line; line = next) {
		char *eq, *key, *value;
		enum setting s;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		n++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;

		eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, errlen, "line %u: not \"key = value\"", n);
			return -EINVAL;
		}
		*eq = 0;
		key = trim(line);
		value = trim(eq + 1);
		for (s = 0; s < _SET_MAX; s++)
			if (!strcmp(key, settings[s].name))
				break;
		if (s == _SET_MAX) {
			snprintf(err, errlen, "line %u: unknown key '%.64s'", n, key);
			return -EINVAL;
		}
		if (st->given[s]) {
			snprintf(err, errlen, "line %u: '%s' given twice", n, key);
			return -EINVAL;
		}
		r = setting_parse(st, s, value, dir);
		if (r == -EINVAL || r == -ERANGE) {
			snprintf(err, errlen, "line %u: %s '%.64s' for %s", n,
				 r == -ERANGE ? "value too large:" : "bad value", value, key);
			return r;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

void settings_merge(struct sign_settings *base, const struct sign_settings *over)
{
	for (enum setting s = 0; s < _SET_MAX; s++) {
		if (!over->given[s])
			continue;
		base->given[s] = true;
		switch (s) {
		case SET_KEY:
			free(base->key);
			base->key = over->key ? strdup(over->key) : NULL;
			break;
		case SET_ISV_PROD_ID:
			base->isv_prod_id = over->isv_prod_id;
			break;
		case SET_ISV_SVN:
			base->isv_svn = over->isv_svn;
			break;
		case SET_DEBUG:
			base->debug = over->debug;
			break;
		case SET_MISCSELECT:
			base->miscselect = over->miscselect;
			break;
		case SET_MISC_MASK:
			base->misc_mask = over->misc_mask;
			break;
		case SET_ATTRIBUTE_MASK:
			base->attribute_mask = over->attribute_mask;
			break;
		case SET_XFRM:
			base->xfrm = over->xfrm;
			break;
		case SET_XFRM_MASK:
			base->xfrm_mask = over->xfrm_mask;
			break;
		case SET_DATE:
			base->date = over->date;
			break;
		case _SET_MAX:
			break;
		}
	}
}

void settings_done(struct sign_settings *st)
{
	free(st->key);
	st->key = NULL;
}

/* Today, or the day of $SOURCE_DATE_EPOCH for reproducible builds. */
static int default_date(uint32_t *ret)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	uint64_t t;
	time_t now;
	struct tm tm;

	if (epoch) {
		if (parse_u64(epoch, INT64_MAX, &t) < 0)
			return -EINVAL;
		now = (time_t)t;
	} else {
		now = time(NULL);
	}
	if (!gmtime_r(&now, &tm))
		return -EINVAL;
	return date_bcd(&tm, ret);
}

int settings_finish(struct sign_settings *st, struct ebroker_sign_params *ret_params,
		    struct layout_params *ret_layout)
{
	uint64_t attributes;
	uint32_t date = st->date;

	if (!st->given[SET_DATE] && default_date(&date) < 0)
		return -EINVAL;

	attributes = EB_ATTR_MODE64BIT | (st->debug ? EB_ATTR_DEBUG : 0);
	*ret_layout = (struct layout_params){
		.attributes = attributes,
		.xfrm = st->given[SET_XFRM] ? st->xfrm : XFRM_DEFAULT,
		.miscselect = (uint32_t)st->miscselect,
	};
	*ret_params = (struct ebroker_sign_params){
		.date = date,
		.miscselect = ret_layout->miscselect,
		.miscmask = st->given[SET_MISC_MASK] ? (uint32_t)st->misc_mask : UINT32_MAX,
		.attributes = attributes,
		.xfrm = ret_layout->xfrm,
		.attributemask =
		    st->given[SET_ATTRIBUTE_MASK] ? st->attribute_mask : ATTRIBUTE_MASK_DEFAULT,
		.xfrmmask = st->given[SET_XFRM_MASK] ? st->xfrm_mask : UINT64_MAX,
		.isv_prod_id = (uint16_t)st->isv_prod_id,
		.isv_svn = (uint16_t)st->isv_svn,
	};
	return 0;
}
